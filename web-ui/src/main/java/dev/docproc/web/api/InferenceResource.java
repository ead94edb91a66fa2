package dev.docproc.web.api;

import dev.docproc.inference.ejb.Inference;
import dev.docproc.inference.ejb.InferenceStatus;
import dev.docproc.web.problem.Problem;
import dev.docproc.web.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The inference engine of the node that answers, for administrators. */
@Path("/admin/inference")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class InferenceResource {

  @Inject Inference inference;

  @GET
  @RolesAllowed(Roles.ADMIN)
  @Operation(
      summary = "The inference engine's state and counters",
      description =
          "state LOADING, READY, UNAVAILABLE or STOPPED; reason says why it is not READY (the"
              + " engine's own message, e.g. which model files are missing); the model and its hub"
              + " revision, the backend, the queue, and counters since start: questions accepted,"
              + " answered, failed, cancelled, refused (queue full, engine not ready), prompt and"
              + " answer tokens, mean queue time, mean time to first token, decode tokens/s.")
  @APIResponse(responseCode = "200", description = "The engine's status")
  @APIResponse(
      responseCode = "403",
      description = "The caller is no admin",
      content = @Content(mediaType = Problem.MEDIA_TYPE))
  public InferenceStatus status() {
    return inference.status();
  }
}
