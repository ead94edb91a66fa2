package dev.docproc.domain.document;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One rendered page: a PNG within the model's pixel budget. */
@Entity
@Table(name = "pages")
public class Page {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(name = "document_id", nullable = false, updatable = false)
  private UUID documentId;

  @Column(name = "page_number", nullable = false, updatable = false)
  private int number;

  @Column(nullable = false, updatable = false)
  private int width;

  @Column(nullable = false, updatable = false)
  private int height;

  @Column(name = "image_png", nullable = false, updatable = false)
  private byte[] imagePng;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  protected Page() {}

  Page(Document document, RenderedPage rendered, Instant now) {
    this.tenantId = document.tenantId();
    this.documentId = document.id();
    this.number = rendered.number();
    this.width = rendered.width();
    this.height = rendered.height();
    this.imagePng = rendered.png();
    this.createdAt = now;
  }
}
