package dev.docproc.pipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's own logic on Kafka's in-memory consumer and producer (the real broker is in the ITs):
 * a handler that is not ready holds records back without spending tries, and a record given up on
 * is parked and reported to the handler.
 */
class ConsumerLoopTest {

  private static final String TOPIC = "docproc.pages";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
  private final MockProducer<String, String> producer =
      new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
  private final AtomicBoolean ready = new AtomicBoolean();
  private final List<Integer> attempts = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> parked = new AtomicReference<>();
  private ConsumerLoop loop;

  /** Handles by recording the attempt; not ready means its service is down, as for real. */
  private final class Handler implements ConsumerLoop.Handler {
    private final boolean failing;

    Handler(boolean failing) {
      this.failing = failing;
    }

    @Override
    public void handle(ConsumerRecord<String, String> record, int attempt) {
      if (!ready.get()) {
        throw new ConsumerLoop.NotReadyException("engine loading", null);
      }
      attempts.add(attempt);
      if (failing) {
        throw new IllegalStateException("broken " + record.value());
      }
    }

    @Override
    public boolean ready() {
      return ready.get();
    }

    @Override
    public void parked(ConsumerRecord<String, String> record, Exception cause, int tries) {
      parked.set(record.value() + " after " + tries + ": " + cause.getMessage());
    }
  }

  private void start(boolean failing) {
    loop =
        new ConsumerLoop(
            consumer,
            TOPIC,
            new Handler(failing),
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2)),
            producer);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(PARTITION));
          consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
          consumer.addRecord(record("page 1"));
        });
    Thread.ofPlatform().start(loop);
  }

  @AfterEach
  void stop() throws InterruptedException {
    loop.shutdown();
    loop.awaitStopped(Duration.ofSeconds(10));
  }

  @Test
  void whileTheHandlerIsNotReadyRecordsWaitUncommittedWithoutSpendingTries() {
    start(false);

    await(() -> consumer.paused().contains(PARTITION), "the partition is paused");
    assertEquals(List.of(), attempts);
    assertEquals(0, consumer.position(PARTITION), "rewound to the record that was not handled");
    assertNull(committed());
    ready.set(true);
    // MockConsumer forgets returned records; the broker keeps them and delivers from the position
    consumer.schedulePollTask(() -> consumer.addRecord(record("page 1")));

    await(() -> committed() != null, "the record is handled and committed");
    assertEquals(List.of(1), attempts, "handled once, as its first try");
    assertEquals(1, committed().offset());
    assertEquals(Set.of(), consumer.paused());
    assertEquals(List.of(), producer.history(), "nothing parked");
  }

  @Test
  void aRecordThatKeepsFailingIsParkedAndTheHandlerTold() {
    ready.set(true);
    start(true);

    await(() -> parked.get() != null, "the handler hears of the parked record");

    assertEquals(List.of(1, 2, 3), attempts);
    assertEquals("page 1 after 3: broken page 1", parked.get());
    assertEquals(1, producer.history().size());
    assertEquals(TOPIC + ".dlq", producer.history().getFirst().topic());
    await(() -> committed() != null, "the parked record is committed");
  }

  private OffsetAndMetadata committed() {
    return consumer.committed(Set.of(PARTITION)).get(PARTITION);
  }

  private static ConsumerRecord<String, String> record(String value) {
    return new ConsumerRecord<>(TOPIC, 0, 0, "document-1", value);
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within 10 s: " + what);
      }
      Thread.onSpinWait();
    }
  }
}
