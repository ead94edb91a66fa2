package dev.docproc.pipeline;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.Producer;

/**
 * The relay's loop: publish what the outbox holds, wait a little when it is empty, back off when
 * the database or Kafka fails, until shut down.
 */
final class OutboxRelay implements Runnable {

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class.getName());

  private final OutboxPublisher publisher;
  private final Producer<String, String> producer;
  private final int batchSize;
  private final Duration interval;
  private final Duration backoff;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  OutboxRelay(
      OutboxPublisher publisher,
      Producer<String, String> producer,
      int batchSize,
      Duration interval,
      Duration backoff) {
    this.publisher = publisher;
    this.producer = producer;
    this.batchSize = batchSize;
    this.interval = interval;
    this.backoff = backoff;
  }

  @Override
  public void run() {
    try {
      while (stopping.getCount() > 0) {
        Duration wait;
        try {
          wait =
              publisher.publishPending(producer, batchSize) < batchSize ? interval : Duration.ZERO;
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "Outbox relay failed; retrying after " + backoff, e);
          wait = backoff;
        }
        stopping.await(wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped.countDown();
    }
  }

  void shutdown(Duration wait) throws InterruptedException {
    stopping.countDown();
    stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
