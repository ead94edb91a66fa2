package dev.docproc.domain.intake;

/**
 * Why an upload was refused: the HTTP status, a stable problem type (RFC 9457) and a title a person
 * understands. The detail of each case is in {@link UploadRejectedException}.
 */
public enum Rejection {
  EMPTY_FILE(400, "empty-file", "The file is empty"),
  TOO_LARGE(413, "file-too-large", "The file is too large"),
  UNSUPPORTED_TYPE(415, "unsupported-type", "The file is not a PDF, PNG, JPEG or TIFF"),
  ENCRYPTED_PDF(422, "encrypted-pdf", "The PDF is password-protected"),
  CORRUPT_FILE(422, "corrupt-file", "The file is damaged or truncated"),
  TOO_MANY_PAGES(422, "too-many-pages", "The document has too many pages"),
  PAGE_TOO_LARGE(422, "page-too-large", "A page is too large to render"),
  IDEMPOTENCY_KEY_REUSED(
      422, "idempotency-key-reused", "The Idempotency-Key was already used for another file");

  private final int status;
  private final String slug;
  private final String title;

  Rejection(int status, String slug, String title) {
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  public int status() {
    return status;
  }

  /** The RFC 9457 problem type. */
  public String type() {
    return "urn:docproc:problem:" + slug;
  }

  public String title() {
    return title;
  }
}
