package dev.docproc.domain.document;

import dev.docproc.domain.DocumentSettings;
import dev.docproc.domain.intake.Rejection;
import dev.docproc.domain.intake.SpooledUpload;
import dev.docproc.domain.intake.UploadInspector;
import dev.docproc.domain.intake.UploadRejectedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Optional;

/**
 * Takes an upload in: spools and checks it, then stores it in one transaction, or refuses it with a
 * reason and an audit event and stores nothing else.
 */
@ApplicationScoped
public class DocumentIntake {

  private static final int MAX_FILENAME_LENGTH = 255;

  private Documents documents;
  private DocumentSettings settings;

  /** For the container's proxy. */
  protected DocumentIntake() {}

  @Inject
  public DocumentIntake(Documents documents, DocumentSettings settings) {
    this.documents = documents;
    this.settings = settings;
  }

  /** Who uploads what: {@code idempotencyKey} may be null. */
  public record Upload(
      String tenantId, String uploadedBy, String filename, String idempotencyKey) {}

  /** The stored document; {@code replayed} when an earlier upload with the same key is returned. */
  public record Accepted(Document document, boolean replayed) {}

  public Accepted upload(Upload upload, InputStream content)
      throws IOException, UploadRejectedException {
    String filename = cleanFilename(upload.filename());
    try (SpooledUpload spooled =
        SpooledUpload.spool(content, settings.intakeLimits().maxUploadBytes())) {
      Optional<Accepted> replay = replay(upload, spooled.sha256());
      if (replay.isPresent()) {
        return replay.get();
      }
      UploadInspector.Inspection inspection =
          new UploadInspector(settings.intakeLimits(), settings.renderPolicy())
              .inspect(spooled.file(), spooled.size());
      Documents.NewDocument document =
          new Documents.NewDocument(
              upload.tenantId(),
              upload.uploadedBy(),
              filename,
              inspection.mediaType(),
              spooled.size(),
              spooled.sha256(),
              inspection.pageCount(),
              upload.idempotencyKey());
      try {
        return new Accepted(
            documents.register(document, Files.readAllBytes(spooled.file())), false);
      } catch (PersistenceException e) {
        // a concurrent upload with the same key committed first
        return replay(upload, spooled.sha256()).orElseThrow(() -> e);
      }
    } catch (UploadRejectedException e) {
      documents.recordRejection(upload.tenantId(), upload.uploadedBy(), filename, e);
      throw e;
    }
  }

  /**
   * Refuses an upload by its declared length, before a byte of it is read, and audits that. Returns
   * what to answer.
   */
  public UploadRejectedException refuseOversized(Upload upload, long declaredBytes) {
    UploadRejectedException refused =
        new UploadRejectedException(
            Rejection.TOO_LARGE,
            "The upload is "
                + SpooledUpload.describeSize(declaredBytes)
                + ", over the limit of "
                + SpooledUpload.describeSize(maxUploadBytes())
                + ". Split the document or upload a smaller scan.");
    documents.recordRejection(
        upload.tenantId(), upload.uploadedBy(), cleanFilename(upload.filename()), refused);
    return refused;
  }

  public long maxUploadBytes() {
    return settings.intakeLimits().maxUploadBytes();
  }

  /** The earlier upload under the same idempotency key, if it was the same file. */
  private Optional<Accepted> replay(Upload upload, String sha256) throws UploadRejectedException {
    if (upload.idempotencyKey() == null) {
      return Optional.empty();
    }
    Optional<Document> earlier =
        documents.findByIdempotencyKey(upload.tenantId(), upload.idempotencyKey());
    if (earlier.isPresent() && !earlier.get().sha256().equals(sha256)) {
      throw new UploadRejectedException(
          Rejection.IDEMPOTENCY_KEY_REUSED,
          "Idempotency-Key '"
              + upload.idempotencyKey()
              + "' was used for a different file (document "
              + earlier.get().id()
              + "). Use a new key for a new file.");
    }
    return earlier.map(d -> new Accepted(d, true));
  }

  private static String cleanFilename(String filename) {
    String name = filename == null ? "" : filename.strip().replaceAll("[\\p{Cntrl}]", "");
    name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    if (name.isEmpty()) {
      return "upload";
    }
    return name.length() <= MAX_FILENAME_LENGTH ? name : name.substring(0, MAX_FILENAME_LENGTH);
  }
}
