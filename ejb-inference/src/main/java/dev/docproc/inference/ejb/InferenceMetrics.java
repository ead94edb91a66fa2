package dev.docproc.inference.ejb;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the engine since the application started; safe to update from any thread. */
public final class InferenceMetrics {

  private final LongAdder accepted = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejectedQueueFull = new LongAdder();
  private final LongAdder rejectedUnavailable = new LongAdder();
  private final LongAdder promptTokens = new LongAdder();
  private final LongAdder answerTokens = new LongAdder();
  private final LongAdder queueNanos = new LongAdder();
  private final LongAdder firstTokenNanos = new LongAdder();
  private final LongAdder decodedTokens = new LongAdder(); // tokens after each answer's first
  private final LongAdder decodeNanos = new LongAdder();

  InferenceMetrics() {}

  /**
   * What an administrator reads. Means are over answered questions; {@code tokensPerSecond} is the
   * decode speed over all answers (tokens after the first of each, per second of decoding).
   */
  public record Snapshot(
      long accepted,
      long answered,
      long failed,
      long cancelled,
      long rejectedQueueFull,
      long rejectedUnavailable,
      long promptTokens,
      long answerTokens,
      double meanQueueMillis,
      double meanTimeToFirstTokenMillis,
      double tokensPerSecond) {}

  void accepted() {
    accepted.increment();
  }

  void failed() {
    failed.increment();
  }

  void cancelled() {
    cancelled.increment();
  }

  void rejectedQueueFull() {
    rejectedQueueFull.increment();
  }

  void rejectedUnavailable() {
    rejectedUnavailable.increment();
  }

  void answered(
      int prompt, int answer, long queueNanos, long firstTokenNanos, long decodeNanosOfAnswer) {
    answered.increment();
    promptTokens.add(prompt);
    answerTokens.add(answer);
    this.queueNanos.add(queueNanos);
    this.firstTokenNanos.add(firstTokenNanos);
    decodedTokens.add(Math.max(0, answer - 1));
    decodeNanos.add(decodeNanosOfAnswer);
  }

  Snapshot snapshot() {
    long n = answered.sum();
    long decodeTime = decodeNanos.sum();
    return new Snapshot(
        accepted.sum(),
        n,
        failed.sum(),
        cancelled.sum(),
        rejectedQueueFull.sum(),
        rejectedUnavailable.sum(),
        promptTokens.sum(),
        answerTokens.sum(),
        n == 0 ? 0 : queueNanos.sum() / 1e6 / n,
        n == 0 ? 0 : firstTokenNanos.sum() / 1e6 / n,
        decodeTime == 0 ? 0 : decodedTokens.sum() / (decodeTime / 1e9));
  }
}
