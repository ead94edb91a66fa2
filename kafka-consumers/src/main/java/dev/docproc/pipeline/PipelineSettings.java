package dev.docproc.pipeline;

import dev.docproc.pipeline.kafka.RetryPolicy;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Settings of the Kafka pipeline: every key, its meaning, default and check in one place. Keys are
 * MicroProfile Config names; each can also be set as an environment variable (upper case, dots and
 * dashes as underscores, e.g. {@code DOCPROC_KAFKA_BOOTSTRAP_SERVERS}).
 */
@ApplicationScoped
public class PipelineSettings {

  /** Kafka brokers, host:port[,host:port…]. */
  @Inject
  @ConfigProperty(name = "docproc.kafka.bootstrap-servers", defaultValue = "127.0.0.1:9092")
  String bootstrapServers;

  /** Partitions of each topic the pipeline creates: how many nodes can share its work. */
  @Inject
  @ConfigProperty(name = "docproc.kafka.partitions", defaultValue = "3")
  int partitions;

  /** Render consumer threads on this node (each renders one document at a time). */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.render-consumers", defaultValue = "2")
  int renderConsumers;

  /**
   * Inference consumer threads on this node. Each waits for one answer at a time; the engine
   * answers one question at a time, so a second consumer keeps the next question queued.
   */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.answer-consumers", defaultValue = "2")
  int answerConsumers;

  /**
   * How long an inference consumer waits for one answer, queueing included, before it cancels the
   * question and counts the try as failed. A page on the CPU takes minutes with the 3B model.
   */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.answer-timeout-ms", defaultValue = "1800000")
  long answerTimeoutMs;

  /** Tries of one record before it goes to the dead-letter topic. */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.max-attempts", defaultValue = "4")
  int maxAttempts;

  /** Wait before the second try, doubled before each further one. */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.retry-backoff-ms", defaultValue = "500")
  long retryBackoffMs;

  /** Longest wait between two tries. */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.retry-backoff-max-ms", defaultValue = "10000")
  long retryBackoffMaxMs;

  /** How often the outbox relay looks for new rows when it found none. */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.relay-interval-ms", defaultValue = "200")
  long relayIntervalMs;

  /** Most outbox rows published in one relay transaction. */
  @Inject
  @ConfigProperty(name = "docproc.pipeline.relay-batch-size", defaultValue = "100")
  int relayBatchSize;

  @PostConstruct
  void validate() {
    require(!bootstrapServers.isBlank(), "docproc.kafka.bootstrap-servers must be set");
    require(partitions >= 1, "docproc.kafka.partitions must be >= 1");
    require(renderConsumers >= 1, "docproc.pipeline.render-consumers must be >= 1");
    require(answerConsumers >= 1, "docproc.pipeline.answer-consumers must be >= 1");
    require(answerTimeoutMs >= 1, "docproc.pipeline.answer-timeout-ms must be >= 1");
    require(relayIntervalMs >= 1, "docproc.pipeline.relay-interval-ms must be >= 1");
    require(relayBatchSize >= 1, "docproc.pipeline.relay-batch-size must be >= 1");
    retryPolicy();
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public int partitions() {
    return partitions;
  }

  public int renderConsumers() {
    return renderConsumers;
  }

  public int answerConsumers() {
    return answerConsumers;
  }

  public Duration answerTimeout() {
    return Duration.ofMillis(answerTimeoutMs);
  }

  public RetryPolicy retryPolicy() {
    return new RetryPolicy(
        maxAttempts, Duration.ofMillis(retryBackoffMs), Duration.ofMillis(retryBackoffMaxMs));
  }

  public Duration relayInterval() {
    return Duration.ofMillis(relayIntervalMs);
  }

  public int relayBatchSize() {
    return relayBatchSize;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
