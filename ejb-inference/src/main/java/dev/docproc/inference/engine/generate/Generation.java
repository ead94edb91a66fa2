package dev.docproc.inference.engine.generate;

/**
 * A finished generation: the generated ids (stop token included when one ended it), the answer text
 * (stop strings and stop tokens excluded), why it stopped, and where the time went: waiting for a
 * place in the running batch, the vision tower, the prompt, then the new tokens. On a device
 * backend the vision tower's kernels may still run when the prefill's are queued, so only the sum
 * up to the first token ({@link #firstTokenNanos}) and the decode time are exact there.
 */
public record Generation(
    int[] tokens,
    String text,
    StopReason stopReason,
    int promptTokens,
    long visionNanos,
    long prefillNanos,
    long decodeNanos,
    long waitNanos) {

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

  /** From the request to its first token: waiting, vision tower and prompt. */
  public long firstTokenNanos() {
    return waitNanos + visionNanos + prefillNanos;
  }

  /** From the request to the last token. */
  public long totalNanos() {
    return firstTokenNanos() + decodeNanos;
  }

  public double prefillTokensPerSecond() {
    return promptTokens / (prefillNanos / 1e9);
  }
}
