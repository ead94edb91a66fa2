package dev.docproc.pipeline.render;

/** A document that cannot be rendered, for a reason that another try would not change. */
public class RenderException extends Exception {
  public RenderException(String message, Throwable cause) {
    super(message, cause);
  }
}
