package dev.docproc.domain.document;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A unit of pipeline work on a document, with its timings. */
@Entity
@Table(name = "jobs")
public class Job {

  /** The kinds of work. */
  public enum Kind {
    RENDER
  }

  /** Where a job is. */
  public enum Status {
    QUEUED,
    DONE,
    FAILED
  }

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(name = "document_id", nullable = false, updatable = false)
  private UUID documentId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, updatable = false)
  private Kind kind;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private Status status;

  @Column(nullable = false)
  private int attempts;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(name = "started_at")
  private Instant startedAt;

  @Column(name = "finished_at")
  private Instant finishedAt;

  @Column private String error;

  protected Job() {}

  Job(Document document, Kind kind, Instant now) {
    this.tenantId = document.tenantId();
    this.documentId = document.id();
    this.kind = kind;
    this.status = Status.QUEUED;
    this.createdAt = now;
  }

  void finish(Status outcome, int attempts, Instant startedAt, Instant now, String error) {
    this.status = outcome;
    this.attempts = attempts;
    this.startedAt = startedAt;
    this.finishedAt = now;
    this.error = error;
  }

  public Kind kind() {
    return kind;
  }

  public Status status() {
    return status;
  }

  public int attempts() {
    return attempts;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant finishedAt() {
    return finishedAt;
  }

  public String error() {
    return error;
  }
}
