package dev.docproc.domain.outbox;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A Kafka record waiting to be published, written in the transaction it announces. */
@Entity
@Table(name = "outbox")
public class OutboxMessage {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(nullable = false, updatable = false)
  private String topic;

  @Column(name = "message_key", nullable = false, updatable = false)
  private String key;

  @Column(nullable = false, updatable = false)
  private String payload;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  protected OutboxMessage() {}

  OutboxMessage(String tenantId, String topic, String key, String payload, Instant now) {
    this.tenantId = tenantId;
    this.topic = topic;
    this.key = key;
    this.payload = payload;
    this.createdAt = now;
  }

  public Long id() {
    return id;
  }

  public String topic() {
    return topic;
  }

  public String key() {
    return key;
  }

  public String payload() {
    return payload;
  }
}
