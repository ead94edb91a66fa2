package dev.docproc.inference.ejb;

/**
 * The engine cannot take questions now: the model is still loading, could not be loaded, or the
 * server is stopping. The reason says which and why; nothing about the question is wrong.
 */
public class InferenceUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final InferenceStatus.State state;

  public InferenceUnavailableException(InferenceStatus.State state, String reason) {
    super("The inference engine is not ready: " + reason);
    this.state = state;
  }

  public InferenceStatus.State state() {
    return state;
  }
}
