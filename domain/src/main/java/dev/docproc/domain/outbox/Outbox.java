package dev.docproc.domain.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** Queues Kafka records in the caller's transaction; the relay publishes them after commit. */
@ApplicationScoped
public class Outbox {

  private EntityManager em;

  /** For the container's proxy. */
  protected Outbox() {}

  @Inject
  public Outbox(EntityManager em) {
    this.em = em;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void documentReceived(DocumentReceived event) {
    enqueue(event.tenantId(), Topics.DOCUMENTS, event.documentId(), event.toJson());
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void pageTask(PageTask task) {
    enqueue(task.tenantId(), Topics.PAGES, task.documentId(), task.toJson());
  }

  private void enqueue(String tenantId, String topic, UUID key, String payload) {
    em.persist(new OutboxMessage(tenantId, topic, key.toString(), payload, Instant.now()));
  }
}
