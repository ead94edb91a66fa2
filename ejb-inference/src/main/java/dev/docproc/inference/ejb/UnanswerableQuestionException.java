package dev.docproc.inference.ejb;

/**
 * The question itself cannot be answered, and asking again will not change that: an image the
 * engine cannot decode or use, or a prompt that does not fit the context.
 */
public class UnanswerableQuestionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnanswerableQuestionException(String message, Throwable cause) {
    super(message, cause);
  }
}
