package dev.docproc.inference.engine.text;

/** A chat template that raised ({@code raise_exception}) or could not be rendered. */
public final class ChatTemplateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ChatTemplateException(String message) {
    super(message);
  }
}
