package dev.docproc.web.api;

import dev.docproc.domain.audit.AuditTrail;
import dev.docproc.domain.document.Answers;
import dev.docproc.domain.document.Document;
import dev.docproc.domain.document.DocumentIntake;
import dev.docproc.domain.document.DocumentStatus;
import dev.docproc.domain.document.Documents;
import dev.docproc.domain.document.Job;
import dev.docproc.domain.intake.UploadRejectedException;
import dev.docproc.inference.ejb.Inference;
import dev.docproc.web.problem.Problem;
import dev.docproc.web.problem.ProblemException;
import dev.docproc.web.security.CurrentUser;
import dev.docproc.web.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Documents of the caller's tenant: upload, list, look at, page images and answers, audit trail. A
 * document of another tenant does not exist here (404).
 */
@Path("/documents")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "documents")
@APIResponse(
    responseCode = "401",
    description = "No valid bearer token",
    content = @Content(mediaType = Problem.MEDIA_TYPE))
@APIResponse(
    responseCode = "403",
    description = "The caller lacks the role",
    content = @Content(mediaType = Problem.MEDIA_TYPE))
public class DocumentsResource {

  static final int MAX_LIMIT = 100;
  private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  @Inject CurrentUser user;
  @Inject DocumentIntake intake;
  @Inject Documents documents;
  @Inject Answers answers;
  @Inject AuditTrail audit;
  @Inject Inference inference;

  @POST
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @RolesAllowed({Roles.UPLOADER, Roles.INTEGRATION})
  @UploadSizeChecked
  @Operation(
      summary = "Upload a document",
      description =
          "A PDF, PNG, JPEG or TIFF in the multipart part 'file'. Stored and queued for"
              + " rendering; poll the Location for its status. With an Idempotency-Key, sending"
              + " the same file again returns the first document instead of a new one.")
  @APIResponse(responseCode = "202", description = "Stored and queued; Location names it")
  @APIResponse(
      responseCode = "400",
      description = "No file part, an empty file, or a bad Idempotency-Key",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  @APIResponse(
      responseCode = "413",
      description = "Over the size limit",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  @APIResponse(
      responseCode = "415",
      description = "Not a PDF, PNG, JPEG or TIFF by content",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  @APIResponse(
      responseCode = "422",
      description =
          "Encrypted, damaged, too many pages, a page too large, or a reused Idempotency-Key",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  @RequestBody(
      content =
          @Content(
              mediaType = MediaType.MULTIPART_FORM_DATA,
              schema =
                  @Schema(
                      type = SchemaType.OBJECT,
                      properties =
                          @SchemaProperty(
                              name = "file",
                              type = SchemaType.STRING,
                              format = "binary",
                              description = "the document"))))
  public Response upload(
      @Parameter(hidden = true) @FormParam("file") EntityPart file,
      @Parameter(description = "Makes retries of the same upload safe (at most 255 characters)")
          @HeaderParam("Idempotency-Key")
          String idempotencyKey,
      @Context UriInfo uri)
      throws IOException, UploadRejectedException {
    if (file == null) {
      throw badRequest(
          "urn:docproc:problem:missing-file",
          "No file in the request",
          "Send the document as the multipart/form-data part named 'file'.");
    }
    checkIdempotencyKey(idempotencyKey);
    DocumentIntake.Accepted accepted;
    try (InputStream content = file.getContent()) {
      accepted =
          intake.upload(
              new DocumentIntake.Upload(
                  user.tenantId(),
                  user.username(),
                  file.getFileName().orElse(null),
                  idempotencyKey),
              content);
    }
    Document d = accepted.document();
    return Response.accepted(DocumentViews.Detail.of(d))
        .location(
            uri.getBaseUriBuilder().path(DocumentsResource.class).path(d.id().toString()).build())
        .header("Idempotent-Replayed", accepted.replayed() ? "true" : null)
        .build();
  }

  @GET
  @RolesAllowed({Roles.UPLOADER, Roles.REVIEWER, Roles.ADMIN, Roles.INTEGRATION})
  @Operation(summary = "List documents, newest first")
  @APIResponse(responseCode = "200", description = "One slice of the tenant's documents")
  public DocumentViews.Listing list(
      @Parameter(description = "RECEIVED, RENDERED, ANSWERED or FAILED") @QueryParam("status")
          String status,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @Parameter(description = "1 to 100") @QueryParam("limit") @DefaultValue("20") int limit) {
    if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
      throw badRequest(
          "urn:docproc:problem:bad-paging",
          "Bad paging",
          "offset must be >= 0 and limit between 1 and " + MAX_LIMIT + ".");
    }
    Documents.Listing listing = documents.list(user.tenantId(), parseStatus(status), offset, limit);
    return new DocumentViews.Listing(
        listing.items().stream().map(DocumentViews.Summary::of).toList(),
        listing.total(),
        offset,
        limit);
  }

  @GET
  @Path("/{id}")
  @RolesAllowed({Roles.UPLOADER, Roles.REVIEWER, Roles.ADMIN, Roles.INTEGRATION})
  @Operation(
      summary = "A document: status, pages with their answers, timings",
      description =
          "Status RECEIVED → RENDERED → ANSWERED, or FAILED with failureReason. Each page is"
              + " ANSWERED (with the answer), PENDING (with a reason while the inference engine"
              + " is not ready) or NOT_ANSWERED (the document failed).")
  @APIResponse(responseCode = "200", description = "The document")
  @APIResponse(
      responseCode = "404",
      description = "No such document in the caller's tenant",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  public DocumentViews.Detail get(@PathParam("id") String id) {
    Document d = find(id);
    return DocumentViews.Detail.of(
        d,
        documents.pages(d.tenantId(), d.id()),
        documents.job(d.tenantId(), d.id(), Job.Kind.RENDER).orElse(null),
        answers.forDocument(d.tenantId(), d.id()),
        inference.status());
  }

  @GET
  @Path("/{id}/pages/{number}")
  @Produces("image/png")
  @RolesAllowed({Roles.UPLOADER, Roles.REVIEWER, Roles.ADMIN, Roles.INTEGRATION})
  @Operation(summary = "A rendered page as PNG, within the model's pixel budget")
  @APIResponse(responseCode = "200", description = "The page image")
  @APIResponse(
      responseCode = "404",
      description = "No such document or page (yet)",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  public Response page(@PathParam("id") String id, @PathParam("number") int number) {
    Document d = find(id);
    byte[] png =
        documents
            .pageImage(d.tenantId(), d.id(), number)
            .orElseThrow(
                () ->
                    notFound(
                        "Document "
                            + id
                            + " has no rendered page "
                            + number
                            + " (status "
                            + d.status()
                            + ", "
                            + d.pageCount()
                            + " pages)."));
    return Response.ok(png, "image/png").build();
  }

  @GET
  @Path("/{id}/pages/{number}/answer")
  @RolesAllowed({Roles.UPLOADER, Roles.REVIEWER, Roles.ADMIN, Roles.INTEGRATION})
  @Operation(summary = "The inference engine's answer about a page, with tokens, times and model")
  @APIResponse(responseCode = "200", description = "The answer")
  @APIResponse(
      responseCode = "404",
      description = "No such document or page, or no answer yet (the detail says why)",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  public DocumentViews.AnswerView answer(
      @PathParam("id") String id, @PathParam("number") int number) {
    Document d = find(id);
    return answers
        .find(d.tenantId(), d.id(), number)
        .map(a -> DocumentViews.AnswerView.of(d, a))
        .orElseThrow(() -> noAnswer(d, number));
  }

  @GET
  @Path("/{id}/audit")
  @RolesAllowed({Roles.REVIEWER, Roles.ADMIN})
  @Operation(summary = "A document's audit trail, oldest first, with the hash chain's links")
  @APIResponse(responseCode = "200", description = "The events")
  @APIResponse(
      responseCode = "404",
      description = "No such document in the caller's tenant",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  public List<DocumentViews.AuditView> audit(@PathParam("id") String id) {
    Document d = find(id);
    return audit.forDocument(d.tenantId(), d.id()).stream()
        .map(DocumentViews.AuditView::of)
        .toList();
  }

  private Document find(String id) {
    Optional<UUID> uuid;
    try {
      uuid = Optional.of(UUID.fromString(id));
    } catch (IllegalArgumentException e) {
      uuid = Optional.empty();
    }
    return uuid.flatMap(u -> documents.find(user.tenantId(), u))
        .orElseThrow(() -> notFound("There is no document " + id + "."));
  }

  /** Why a page has no answer: no such page, the document failed, or it is still to come. */
  private ProblemException noAnswer(Document d, int number) {
    String why;
    if (number < 1 || number > d.pageCount()) {
      why = "Document " + d.id() + " has no page " + number + " (" + d.pageCount() + " pages).";
    } else if (d.status() == DocumentStatus.FAILED) {
      why = "Page " + number + " will not be answered: " + d.failureReason();
    } else {
      var engine = inference.status();
      why =
          "Page "
              + number
              + " has no answer yet (document "
              + d.status()
              + ")"
              + (engine.ready() ? "." : "; the inference engine is not ready: " + engine.reason());
    }
    return new ProblemException(
        new Problem("urn:docproc:problem:no-answer", "No answer", 404, why));
  }

  private static ProblemException badRequest(String type, String title, String detail) {
    return new ProblemException(new Problem(type, title, 400, detail));
  }

  private static ProblemException notFound(String detail) {
    return new ProblemException(Problem.ofStatus(404, detail));
  }

  private static Optional<DocumentStatus> parseStatus(String status) {
    if (status == null || status.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(DocumentStatus.valueOf(status.strip().toUpperCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw badRequest(
          "urn:docproc:problem:bad-status",
          "Unknown status",
          "status must be one of " + Arrays.toString(DocumentStatus.values()) + ".");
    }
  }

  private static void checkIdempotencyKey(String key) {
    if (key != null
        && (key.isEmpty()
            || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH
            || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      throw badRequest(
          "urn:docproc:problem:bad-idempotency-key",
          "Bad Idempotency-Key",
          "The Idempotency-Key must be 1 to "
              + MAX_IDEMPOTENCY_KEY_LENGTH
              + " visible ASCII characters.");
    }
  }
}
