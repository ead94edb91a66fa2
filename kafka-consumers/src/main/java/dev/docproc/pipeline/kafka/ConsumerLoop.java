package dev.docproc.pipeline.kafka;

import dev.docproc.domain.outbox.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Polls one topic on its own thread and hands each record to a handler: at least once, in order
 * within a partition, the offset committed only after the handler returned (and so after its
 * database commit). A failing record is tried again with backoff, then parked on the dead-letter
 * topic; a record the handler calls malformed is parked at once. Nothing a record holds can end the
 * loop. While the handler is not {@linkplain Handler#ready() ready} (a service it needs is down),
 * the loop pauses its partitions and keeps polling, so records wait in Kafka without counting as
 * attempts. Shutdown follows the KafkaConsumer Javadoc: {@link #shutdown()} sets a flag and calls
 * {@code wakeup()}, and the polling thread closes the consumer.
 */
public final class ConsumerLoop implements Runnable {

  private static final Logger LOG = Logger.getLogger(ConsumerLoop.class.getName());
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final long DEAD_LETTER_TIMEOUT_SECONDS = 30;

  /** Handles one record; the attempt is 1-based. */
  @FunctionalInterface
  public interface Handler {
    void handle(ConsumerRecord<String, String> record, int attempt) throws Exception;

    /** Whether records can be handled now; while not, they wait in Kafka. */
    default boolean ready() {
      return true;
    }

    /** Called once a record is on the dead-letter topic, with the last failure. */
    default void parked(ConsumerRecord<String, String> record, Exception cause, int attempts) {}
  }

  /**
   * Thrown by a handler when it cannot handle the record now for a reason outside the record (a
   * service it needs is unavailable): the record is read again once the handler is ready, and the
   * try does not count.
   */
  public static class NotReadyException extends RuntimeException {
    public NotReadyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Thrown by a handler for a record it can never handle, to skip the retries. */
  public static class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Consumer<String, String> consumer;
  private final String topic;
  private final Handler handler;
  private final RetryPolicy retry;
  private final Producer<String, String> deadLetters;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  public ConsumerLoop(
      Consumer<String, String> consumer,
      String topic,
      Handler handler,
      RetryPolicy retry,
      Producer<String, String> deadLetters) {
    this.consumer = consumer;
    this.topic = topic;
    this.handler = handler;
    this.retry = retry;
    this.deadLetters = deadLetters;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic));
      while (!closed.get()) {
        holdUnlessReady();
        ConsumerRecords<String, String> records = consumer.poll(POLL_TIMEOUT);
        Map<TopicPartition, Long> next = new HashMap<>();
        try {
          for (ConsumerRecord<String, String> record : records) {
            process(record);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
            next.put(partition, record.offset() + 1);
          }
        } catch (WakeupException e) {
          throw e;
        } catch (NotReadyException e) {
          LOG.info(() -> "Consumer of " + topic + " waits: " + e.getMessage());
          rewind(records, next);
        } catch (KafkaException e) {
          // The dead-letter topic or the commit failed: read the unfinished records again.
          LOG.log(Level.WARNING, "Consumer of " + topic + " rewinds after: " + e, e);
          rewind(records, next);
          pause(retry.maxBackoff());
        }
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
      stopped.countDown();
    }
  }

  /** Tells the loop to stop polling and close its consumer; returns at once. */
  public void shutdown() {
    closed.set(true);
    stopping.countDown();
    consumer.wakeup();
  }

  /** Waits for the loop to close its consumer after {@link #shutdown()}. */
  public void awaitStopped(Duration wait) throws InterruptedException {
    stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Pauses the assigned partitions while the handler is not ready, resumes them when it is. */
  private void holdUnlessReady() {
    if (handler.ready()) {
      if (!consumer.paused().isEmpty()) {
        LOG.info(() -> "Consumer of " + topic + " resumes");
        consumer.resume(consumer.paused());
      }
    } else if (!consumer.paused().containsAll(consumer.assignment())) {
      LOG.info(() -> "Consumer of " + topic + " pauses until its handler is ready");
      consumer.pause(consumer.assignment());
    }
  }

  private void process(ConsumerRecord<String, String> record) throws InterruptedException {
    Exception last = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      try {
        handler.handle(record, attempt);
        return;
      } catch (MalformedRecordException e) {
        deadLetter(record, e, attempt);
        return;
      } catch (NotReadyException e) {
        throw e;
      } catch (Exception e) {
        last = e;
        LOG.log(
            Level.WARNING,
            () -> "Attempt " + where(record) + " failed: " + e + "; retrying after backoff");
        if (attempt < retry.maxAttempts() && pause(retry.backoffAfter(attempt))) {
          throw new WakeupException();
        }
      }
    }
    deadLetter(record, last, retry.maxAttempts());
  }

  private void deadLetter(ConsumerRecord<String, String> record, Exception cause, int attempts)
      throws InterruptedException {
    LOG.log(Level.SEVERE, "Parking " + where(record) + " on the dead-letter topic", cause);
    ProducerRecord<String, String> parked =
        new ProducerRecord<>(Topics.deadLetter(record.topic()), record.key(), record.value());
    header(parked, "docproc.error", String.valueOf(cause));
    header(parked, "docproc.attempts", String.valueOf(attempts));
    header(parked, "docproc.source", where(record));
    try {
      deadLetters.send(parked).get(DEAD_LETTER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new KafkaException("could not park " + where(record), e);
    }
    try {
      handler.parked(record, cause, attempts);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "Handler of " + topic + " failed after parking " + where(record), e);
    }
  }

  private void rewind(ConsumerRecords<String, String> records, Map<TopicPartition, Long> next) {
    for (TopicPartition partition : records.partitions()) {
      long offset = next.getOrDefault(partition, records.records(partition).getFirst().offset());
      consumer.seek(partition, offset);
    }
  }

  /** Sleeps, unless shutdown comes first; returns whether it did. */
  private boolean pause(Duration duration) throws InterruptedException {
    return stopping.await(duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void header(ProducerRecord<String, String> record, String name, String value) {
    record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String where(ConsumerRecord<String, String> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
