package dev.docproc.domain.document;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** The uploaded bytes, apart from {@link Document} so that listing documents never loads them. */
@Entity
@Table(name = "document_content")
public class DocumentContent {

  @Id
  @Column(name = "document_id")
  private UUID documentId;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(nullable = false, updatable = false)
  private byte[] bytes;

  protected DocumentContent() {}

  DocumentContent(Document document, byte[] bytes) {
    this.documentId = document.id();
    this.tenantId = document.tenantId();
    this.bytes = bytes;
  }

  public byte[] bytes() {
    return bytes;
  }
}
