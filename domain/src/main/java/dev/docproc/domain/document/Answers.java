package dev.docproc.domain.document;

import dev.docproc.domain.Sha256;
import dev.docproc.domain.audit.AuditAction;
import dev.docproc.domain.audit.AuditTrail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The answers about a tenant's pages. Storing the last missing answer of a document marks it
 * ANSWERED; a page that cannot be answered marks it FAILED. Each writes its audit events in the
 * same transaction, and neither changes a document that no longer waits (a redelivered page task
 * changes nothing).
 */
@ApplicationScoped
public class Answers {

  private static final String ACTOR = "inference-consumer";

  private EntityManager em;
  private Documents documents;
  private AuditTrail audit;

  /** For the container's proxy. */
  protected Answers() {}

  @Inject
  public Answers(EntityManager em, Documents documents, AuditTrail audit) {
    this.em = em;
    this.documents = documents;
    this.audit = audit;
  }

  /**
   * The page image to ask about, if the document still waits for this page's answer: empty when the
   * page was answered before or the document is final.
   *
   * @throws IllegalStateException if the tenant has no such document or page
   */
  public Optional<byte[]> awaitingAnswer(String tenantId, UUID documentId, int page) {
    Document document =
        documents
            .find(tenantId, documentId)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "tenant " + tenantId + " has no document " + documentId));
    if (document.status() != DocumentStatus.RENDERED
        || find(tenantId, documentId, page).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(
        documents
            .pageImage(tenantId, documentId, page)
            .orElseThrow(
                () ->
                    new IllegalStateException("document " + documentId + " has no page " + page)));
  }

  /**
   * Stores the answer about one page; if it was the last one missing, the document becomes
   * ANSWERED. Returns false, changing nothing, when the document no longer waits for it.
   */
  @Transactional
  public boolean store(String tenantId, UUID documentId, int page, NewAnswer answer) {
    Optional<Document> waiting = documents.lock(tenantId, documentId, DocumentStatus.RENDERED);
    if (waiting.isEmpty() || find(tenantId, documentId, page).isPresent()) {
      return false;
    }
    Document document = waiting.get();
    Instant now = Documents.now();
    em.persist(new Answer(document, page, answer, now));
    em.flush();
    long answered = answered(tenantId, documentId);
    audit.append(
        tenantId,
        ACTOR,
        AuditAction.PAGE_ANSWERED,
        documentId,
        details(page, answer).build().toString());
    if (answered == document.pageCount()) {
      document.markAnswered(now);
      em.flush();
      audit.append(
          tenantId,
          ACTOR,
          AuditAction.DOCUMENT_ANSWERED,
          documentId,
          Json.createObjectBuilder().add("pages", answered).build().toString());
    }
    return true;
  }

  /**
   * Marks the document FAILED because one of its pages cannot be answered. Returns false, changing
   * nothing, when the document no longer waits for answers.
   */
  @Transactional
  public boolean failPage(String tenantId, UUID documentId, int page, String reason, int attempts) {
    Optional<Document> waiting = documents.lock(tenantId, documentId, DocumentStatus.RENDERED);
    if (waiting.isEmpty()) {
      return false;
    }
    waiting.get().markFailed("Page " + page + " could not be answered: " + reason, Documents.now());
    em.flush();
    audit.append(
        tenantId,
        ACTOR,
        AuditAction.DOCUMENT_FAILED,
        documentId,
        Json.createObjectBuilder()
            .add("page", page)
            .add("reason", reason)
            .add("attempts", attempts)
            .build()
            .toString());
    return true;
  }

  /** A document's answers, by page number. */
  public List<Answer> forDocument(String tenantId, UUID documentId) {
    return em.createQuery(
            "select a from Answer a where a.tenantId = :tenant and a.documentId = :document"
                + " order by a.pageNumber",
            Answer.class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .getResultList();
  }

  public Optional<Answer> find(String tenantId, UUID documentId, int page) {
    return em.createQuery(
            "select a from Answer a where a.tenantId = :tenant and a.documentId = :document"
                + " and a.pageNumber = :page",
            Answer.class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .setParameter("page", page)
        .getResultStream()
        .findFirst();
  }

  private long answered(String tenantId, UUID documentId) {
    return em.createQuery(
            "select count(a) from Answer a where a.tenantId = :tenant"
                + " and a.documentId = :document",
            Long.class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .getSingleResult();
  }

  /** What the audit trail keeps of an answer: counts, times, model, and the text's hash. */
  private static JsonObjectBuilder details(int page, NewAnswer a) {
    JsonObjectBuilder details =
        Json.createObjectBuilder()
            .add("page", page)
            .add("promptTokens", a.promptTokens())
            .add("answerTokens", a.answerTokens())
            .add("stopReason", a.stopReason())
            .add("queueMillis", a.queueMillis())
            .add("firstTokenMillis", a.firstTokenMillis())
            .add("totalMillis", a.totalMillis())
            .add("model", a.model())
            .add("answerSha256", Sha256.hex(a.text().getBytes(StandardCharsets.UTF_8)));
    if (a.modelRevision() != null) {
      details.add("modelRevision", a.modelRevision());
    }
    return details;
  }
}
