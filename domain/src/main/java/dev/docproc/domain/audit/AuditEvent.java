package dev.docproc.domain.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A stored audit event. Rows are only ever inserted; the database refuses changes. */
@Entity
@Table(name = "audit_events")
public class AuditEvent {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(nullable = false, updatable = false)
  private long seq;

  @Column(name = "occurred_at", nullable = false, updatable = false)
  private Instant occurredAt;

  @Column(nullable = false, updatable = false)
  private String actor;

  @Column(nullable = false, updatable = false)
  private String action;

  @Column(name = "document_id", updatable = false)
  private UUID documentId;

  @Column(nullable = false, updatable = false)
  private String details;

  @Column(name = "prev_hash", nullable = false, updatable = false)
  private String prevHash;

  @Column(nullable = false, updatable = false)
  private String hash;

  protected AuditEvent() {}

  AuditEvent(AuditRecord r) {
    this.tenantId = r.tenantId();
    this.seq = r.seq();
    this.occurredAt = r.occurredAt();
    this.actor = r.actor();
    this.action = r.action();
    this.documentId = r.documentId();
    this.details = r.details();
    this.prevHash = r.prevHash();
    this.hash = r.hash();
  }

  public AuditRecord toRecord() {
    return new AuditRecord(
        tenantId, seq, occurredAt, actor, action, documentId, details, prevHash, hash);
  }
}
