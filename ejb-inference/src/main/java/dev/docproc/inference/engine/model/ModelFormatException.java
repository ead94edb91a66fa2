package dev.docproc.inference.engine.model;

/** A model file that cannot be used as it is; the message names the file or tensor at fault. */
public class ModelFormatException extends RuntimeException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
