package dev.docproc.pipeline.kafka;

import java.time.Duration;

/**
 * How often a record is tried and how long to wait in between: {@code initialBackoff} before the
 * second try, doubled before each further one, at most {@code maxBackoff}.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("docproc.pipeline.max-attempts must be >= 1");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "retry backoffs must satisfy 0 <= docproc.pipeline.retry-backoff-ms"
              + " <= docproc.pipeline.retry-backoff-max-ms");
    }
  }

  /** The wait after failed attempt {@code attempt} (1-based). */
  public Duration backoffAfter(int attempt) {
    int doublings = Math.min(attempt - 1, 30);
    long millis = initialBackoff.toMillis() << doublings;
    return millis < 0 || millis > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(millis);
  }
}
