package dev.docproc.pipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void backoffDoublesUpToTheMaximum() {
    RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(3));
    assertEquals(Duration.ofMillis(500), policy.backoffAfter(1));
    assertEquals(Duration.ofMillis(1000), policy.backoffAfter(2));
    assertEquals(Duration.ofMillis(2000), policy.backoffAfter(3));
    assertEquals(Duration.ofSeconds(3), policy.backoffAfter(4));
    assertEquals(Duration.ofSeconds(3), policy.backoffAfter(1000));
  }

  @Test
  void nonsenseIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
