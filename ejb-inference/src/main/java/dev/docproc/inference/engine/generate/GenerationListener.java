package dev.docproc.inference.engine.generate;

/** Streaming callbacks of a generation, called on the generating thread. */
public interface GenerationListener {
  /**
   * Whether {@link #onLogits} is wanted: the logits then come back to the host at every step (a GPU
   * backend otherwise keeps them on the device).
   */
  default boolean wantsLogits() {
    return false;
  }

  /** Raw float32 logits [vocab] of step {@code step}, before any processing (if wanted). */
  default void onLogits(int step, float[] logits) {}

  /** Each chosen token id, stop tokens included. */
  default void onToken(int step, int token) {}

  /** New answer text; held back while it could still turn into a stop string. */
  default void onText(String delta) {}

  GenerationListener NONE = new GenerationListener() {};
}
