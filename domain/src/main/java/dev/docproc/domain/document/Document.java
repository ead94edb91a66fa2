package dev.docproc.domain.document;

import dev.docproc.domain.intake.MediaType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An uploaded file and where it is in the pipeline. Its bytes are in {@link DocumentContent}. */
@Entity
@Table(name = "documents")
public class Document {

  @Id private UUID id;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(nullable = false, updatable = false)
  private String filename;

  @Column(name = "media_type", nullable = false, updatable = false)
  private String mediaType;

  @Column(name = "size_bytes", nullable = false, updatable = false)
  private long sizeBytes;

  @Column(nullable = false, updatable = false)
  private String sha256;

  @Column(name = "page_count", nullable = false, updatable = false)
  private int pageCount;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private DocumentStatus status;

  @Column(name = "failure_reason")
  private String failureReason;

  @Column(name = "idempotency_key", updatable = false)
  private String idempotencyKey;

  @Column(name = "uploaded_by", nullable = false, updatable = false)
  private String uploadedBy;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected Document() {}

  Document(
      String tenantId,
      String filename,
      MediaType mediaType,
      long sizeBytes,
      String sha256,
      int pageCount,
      String idempotencyKey,
      String uploadedBy,
      Instant now) {
    this.id = UUID.randomUUID();
    this.tenantId = tenantId;
    this.filename = filename;
    this.mediaType = mediaType.mime();
    this.sizeBytes = sizeBytes;
    this.sha256 = sha256;
    this.pageCount = pageCount;
    this.status = DocumentStatus.RECEIVED;
    this.idempotencyKey = idempotencyKey;
    this.uploadedBy = uploadedBy;
    this.createdAt = now;
    this.updatedAt = now;
  }

  void markRendered(Instant now) {
    status = DocumentStatus.RENDERED;
    updatedAt = now;
  }

  void markAnswered(Instant now) {
    status = DocumentStatus.ANSWERED;
    updatedAt = now;
  }

  void markFailed(String reason, Instant now) {
    status = DocumentStatus.FAILED;
    failureReason = reason;
    updatedAt = now;
  }

  public UUID id() {
    return id;
  }

  public String tenantId() {
    return tenantId;
  }

  public String filename() {
    return filename;
  }

  public MediaType mediaType() {
    return MediaType.ofMime(mediaType);
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public String sha256() {
    return sha256;
  }

  public int pageCount() {
    return pageCount;
  }

  public DocumentStatus status() {
    return status;
  }

  public String failureReason() {
    return failureReason;
  }

  public String idempotencyKey() {
    return idempotencyKey;
  }

  public String uploadedBy() {
    return uploadedBy;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }
}
