package dev.docproc.domain.intake;

/** An upload the platform refuses, with a detail that says what to do about it. */
public class UploadRejectedException extends Exception {

  private final Rejection rejection;

  public UploadRejectedException(Rejection rejection, String detail) {
    super(detail);
    this.rejection = rejection;
  }

  public UploadRejectedException(Rejection rejection, String detail, Throwable cause) {
    super(detail, cause);
    this.rejection = rejection;
  }

  public Rejection rejection() {
    return rejection;
  }

  public String detail() {
    return getMessage();
  }
}
