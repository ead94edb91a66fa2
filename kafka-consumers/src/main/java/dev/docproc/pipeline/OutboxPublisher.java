package dev.docproc.pipeline;

import dev.docproc.domain.outbox.OutboxMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes outbox rows to Kafka and deletes them, in one transaction: a row is deleted only after
 * Kafka acknowledged it, so a crash in between publishes it again (consumers are idempotent). Rows
 * are locked with SKIP LOCKED, so relays on several nodes share the work.
 */
@ApplicationScoped
public class OutboxPublisher {

  private static final long ACK_TIMEOUT_SECONDS = 30;

  private EntityManager em;

  /** For the container's proxy. */
  protected OutboxPublisher() {}

  @Inject
  public OutboxPublisher(EntityManager em) {
    this.em = em;
  }

  /** Publishes up to {@code limit} rows, oldest first; returns how many. */
  @Transactional
  public int publishPending(Producer<String, String> producer, int limit) {
    @SuppressWarnings("unchecked")
    List<OutboxMessage> batch =
        em.createNativeQuery(
                "select * from outbox order by id limit ?1 for update skip locked",
                OutboxMessage.class)
            .setParameter(1, limit)
            .getResultList();
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (OutboxMessage m : batch) {
      acks.add(producer.send(new ProducerRecord<>(m.topic(), m.key(), m.payload())));
    }
    try {
      for (Future<RecordMetadata> ack : acks) {
        ack.get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("Kafka did not acknowledge the outbox batch", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while publishing the outbox", e);
    }
    batch.forEach(em::remove);
    return batch.size();
  }
}
