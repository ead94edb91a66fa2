package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.fail;

import dev.docproc.it.support.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The test's own Kafka clients, beside the platform's. */
final class Kafka {

  /** The render consumers' group (dev.docproc.pipeline.Pipeline). */
  static final String RENDER_GROUP = "docproc-render";

  /** The inference consumers' group (dev.docproc.pipeline.Pipeline). */
  static final String ANSWER_GROUP = "docproc-answer";

  private Kafka() {}

  static RecordMetadata publish(String topic, String key, String value) {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      return producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("could not publish to " + topic, e);
    }
  }

  /** Waits until {@code group} has committed past the given record: it has handled it. */
  static void awaitHandled(String group, RecordMetadata record, Duration timeout) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServices.kafkaBootstrapServers()))) {
      while (System.nanoTime() < deadline) {
        OffsetAndMetadata committed =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(partition);
        if (committed != null && committed.offset() > record.offset()) {
          return;
        }
        Documents.sleep(Duration.ofMillis(200));
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
    fail(group + " did not handle " + partition + "@" + record.offset() + " within " + timeout);
  }

  /** The first record of {@code topic} (read from the start) that matches, within the timeout. */
  static Optional<ConsumerRecord<String, String>> find(
      String topic, Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServices.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(record)) {
            return Optional.of(record);
          }
        }
      }
      return Optional.empty();
    }
  }
}
