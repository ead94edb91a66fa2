package dev.docproc.inference.engine.generate;

/** Streaming callbacks of a generation, called on the generating thread. */
public interface GenerationListener {
  /** Raw float32 logits [vocab] of step {@code step}, before any processing. */
  default void onLogits(int step, float[] logits) {}

  /** Each chosen token id, stop tokens included. */
  default void onToken(int step, int token) {}

  /** New answer text; held back while it could still turn into a stop string. */
  default void onText(String delta) {}

  GenerationListener NONE = new GenerationListener() {};
}
