package dev.docproc.inference.engine.generate;

/**
 * A finished generation: the generated ids (stop token included when one ended it), the answer text
 * (stop strings and stop tokens excluded), why it stopped, and where the time went.
 */
public record Generation(
    int[] tokens,
    String text,
    StopReason stopReason,
    int promptTokens,
    long visionNanos,
    long prefillNanos,
    long decodeNanos) {

  public enum StopReason {
    STOP_TOKEN,
    STOP_STRING,
    MAX_TOKENS,
    CANCELLED,
    CONTEXT_FULL
  }

  /** Decode speed in tokens per second, over the tokens after the first. */
  public double decodeTokensPerSecond() {
    return tokens.length <= 1 ? 0 : (tokens.length - 1) / (decodeNanos / 1e9);
  }

  public double prefillTokensPerSecond() {
    return promptTokens / (prefillNanos / 1e9);
  }
}
