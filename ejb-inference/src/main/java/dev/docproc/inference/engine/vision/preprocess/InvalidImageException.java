package dev.docproc.inference.engine.vision.preprocess;

/** An image the preprocessor refuses, with the reason a user can act on. */
public final class InvalidImageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why an image was refused. */
  public enum Reason {
    UNSUPPORTED_FORMAT,
    UNSUPPORTED_PIXEL_LAYOUT,
    CORRUPT,
    TOO_SMALL,
    TOO_LARGE,
    ASPECT_RATIO
  }

  private final Reason reason;

  public InvalidImageException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public InvalidImageException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
