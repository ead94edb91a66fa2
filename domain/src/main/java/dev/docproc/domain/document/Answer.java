package dev.docproc.domain.document;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** The inference engine's answer about one page, with what it took and which model gave it. */
@Entity
@Table(name = "page_answers")
public class Answer {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "tenant_id", nullable = false, updatable = false)
  private String tenantId;

  @Column(name = "document_id", nullable = false, updatable = false)
  private UUID documentId;

  @Column(name = "page_number", nullable = false, updatable = false)
  private int pageNumber;

  @Column(nullable = false, updatable = false)
  private String prompt;

  @Column(name = "answer", nullable = false, updatable = false)
  private String text;

  @Column(name = "prompt_tokens", nullable = false, updatable = false)
  private int promptTokens;

  @Column(name = "answer_tokens", nullable = false, updatable = false)
  private int answerTokens;

  @Column(name = "stop_reason", nullable = false, updatable = false)
  private String stopReason;

  @Column(name = "queue_millis", nullable = false, updatable = false)
  private long queueMillis;

  @Column(name = "first_token_millis", nullable = false, updatable = false)
  private long firstTokenMillis;

  @Column(name = "total_millis", nullable = false, updatable = false)
  private long totalMillis;

  @Column(name = "model_id", nullable = false, updatable = false)
  private String model;

  @Column(name = "model_revision", updatable = false)
  private String modelRevision;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  protected Answer() {}

  Answer(Document document, int pageNumber, NewAnswer a, Instant now) {
    this.tenantId = document.tenantId();
    this.documentId = document.id();
    this.pageNumber = pageNumber;
    this.prompt = a.prompt();
    this.text = a.text();
    this.promptTokens = a.promptTokens();
    this.answerTokens = a.answerTokens();
    this.stopReason = a.stopReason();
    this.queueMillis = a.queueMillis();
    this.firstTokenMillis = a.firstTokenMillis();
    this.totalMillis = a.totalMillis();
    this.model = a.model();
    this.modelRevision = a.modelRevision();
    this.createdAt = now;
  }

  public int pageNumber() {
    return pageNumber;
  }

  public String prompt() {
    return prompt;
  }

  public String text() {
    return text;
  }

  public int promptTokens() {
    return promptTokens;
  }

  public int answerTokens() {
    return answerTokens;
  }

  public String stopReason() {
    return stopReason;
  }

  public long queueMillis() {
    return queueMillis;
  }

  public long firstTokenMillis() {
    return firstTokenMillis;
  }

  public long totalMillis() {
    return totalMillis;
  }

  public String model() {
    return model;
  }

  public String modelRevision() {
    return modelRevision;
  }

  public Instant createdAt() {
    return createdAt;
  }
}
