package dev.docproc.domain.intake;

/**
 * What an upload may be: at most {@code maxUploadBytes} long, {@code maxPages} pages, and no page
 * over {@code maxPagePixels} at its source resolution.
 */
public record IntakeLimits(long maxUploadBytes, int maxPages, long maxPagePixels) {
  public IntakeLimits {
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException("docproc.intake.max-upload-bytes must be >= 1");
    }
    if (maxPages < 1) {
      throw new IllegalArgumentException("docproc.intake.max-pages must be >= 1");
    }
    if (maxPagePixels < 1) {
      throw new IllegalArgumentException("docproc.intake.max-page-pixels must be >= 1");
    }
  }
}
