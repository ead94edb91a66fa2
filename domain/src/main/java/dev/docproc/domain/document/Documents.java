package dev.docproc.domain.document;

import dev.docproc.domain.audit.AuditAction;
import dev.docproc.domain.audit.AuditTrail;
import dev.docproc.domain.intake.MediaType;
import dev.docproc.domain.intake.UploadRejectedException;
import dev.docproc.domain.outbox.DocumentReceived;
import dev.docproc.domain.outbox.Outbox;
import dev.docproc.domain.outbox.PageTask;
import dev.docproc.domain.tenant.Tenants;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The documents of a tenant: every query and every change names the tenant, and a document of
 * another tenant is simply not found. Each state change writes its audit event (and its outbox
 * records) in the same transaction.
 */
@ApplicationScoped
public class Documents {

  private EntityManager em;
  private Tenants tenants;
  private AuditTrail audit;
  private Outbox outbox;

  /** For the container's proxy. */
  protected Documents() {}

  @Inject
  public Documents(EntityManager em, Tenants tenants, AuditTrail audit, Outbox outbox) {
    this.em = em;
    this.tenants = tenants;
    this.audit = audit;
    this.outbox = outbox;
  }

  /** An accepted upload about to be stored. */
  public record NewDocument(
      String tenantId,
      String uploadedBy,
      String filename,
      MediaType mediaType,
      long sizeBytes,
      String sha256,
      int pageCount,
      String idempotencyKey) {}

  /**
   * Stores document, content and render job, and queues the render event, in one transaction. A
   * second upload with the same idempotency key fails here on the unique constraint.
   */
  @Transactional
  public Document register(NewDocument d, byte[] content) {
    Instant now = now();
    tenants.register(d.tenantId());
    Document document =
        new Document(
            d.tenantId(),
            d.filename(),
            d.mediaType(),
            d.sizeBytes(),
            d.sha256(),
            d.pageCount(),
            d.idempotencyKey(),
            d.uploadedBy(),
            now);
    em.persist(document);
    em.persist(new DocumentContent(document, content));
    em.persist(new Job(document, Job.Kind.RENDER, now));
    outbox.documentReceived(new DocumentReceived(document.id(), d.tenantId()));
    em.flush();
    audit.append(
        d.tenantId(),
        d.uploadedBy(),
        AuditAction.DOCUMENT_RECEIVED,
        document.id(),
        Json.createObjectBuilder()
            .add("filename", d.filename())
            .add("mediaType", d.mediaType().mime())
            .add("sizeBytes", d.sizeBytes())
            .add("sha256", d.sha256())
            .add("pageCount", d.pageCount())
            .build()
            .toString());
    return document;
  }

  /** Audits a refused upload; nothing else is stored. */
  @Transactional
  public void recordRejection(
      String tenantId, String actor, String filename, UploadRejectedException rejected) {
    tenants.register(tenantId);
    audit.append(
        tenantId,
        actor,
        AuditAction.UPLOAD_REJECTED,
        null,
        Json.createObjectBuilder()
            .add("filename", filename)
            .add("problem", rejected.rejection().type())
            .add("detail", rejected.detail())
            .build()
            .toString());
  }

  public Optional<Document> find(String tenantId, UUID id) {
    return em.createQuery(
            "select d from Document d where d.tenantId = :tenant and d.id = :id", Document.class)
        .setParameter("tenant", tenantId)
        .setParameter("id", id)
        .getResultStream()
        .findFirst();
  }

  public Optional<Document> findByIdempotencyKey(String tenantId, String key) {
    return em.createQuery(
            "select d from Document d where d.tenantId = :tenant and d.idempotencyKey = :key",
            Document.class)
        .setParameter("tenant", tenantId)
        .setParameter("key", key)
        .getResultStream()
        .findFirst();
  }

  /** A slice of a tenant's documents, newest first, and how many there are in all. */
  public record Listing(List<Document> items, long total) {}

  public Listing list(String tenantId, Optional<DocumentStatus> status, int offset, int limit) {
    String where = "d.tenantId = :tenant" + (status.isPresent() ? " and d.status = :status" : "");
    var items =
        em.createQuery(
                "select d from Document d where " + where + " order by d.createdAt desc, d.id",
                Document.class)
            .setParameter("tenant", tenantId)
            .setFirstResult(offset)
            .setMaxResults(limit);
    var total =
        em.createQuery("select count(d) from Document d where " + where, Long.class)
            .setParameter("tenant", tenantId);
    status.ifPresent(
        s -> {
          items.setParameter("status", s);
          total.setParameter("status", s);
        });
    return new Listing(items.getResultList(), total.getSingleResult());
  }

  public List<PageSummary> pages(String tenantId, UUID documentId) {
    return em.createQuery(
            "select new dev.docproc.domain.document.PageSummary(p.number, p.width, p.height)"
                + " from Page p where p.tenantId = :tenant and p.documentId = :document"
                + " order by p.number",
            PageSummary.class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .getResultList();
  }

  /** The PNG of page {@code number} (1-based). */
  public Optional<byte[]> pageImage(String tenantId, UUID documentId, int number) {
    return em.createQuery(
            "select p.imagePng from Page p where p.tenantId = :tenant"
                + " and p.documentId = :document and p.number = :number",
            byte[].class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .setParameter("number", number)
        .getResultStream()
        .findFirst();
  }

  public Optional<Job> job(String tenantId, UUID documentId, Job.Kind kind) {
    return em.createQuery(
            "select j from Job j where j.tenantId = :tenant and j.documentId = :document"
                + " and j.kind = :kind",
            Job.class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .setParameter("kind", kind)
        .getResultStream()
        .findFirst();
  }

  /** What the renderer needs: the file, if the document still waits for rendering. */
  public record RenderInput(MediaType mediaType, int pageCount, byte[] content) {}

  public Optional<RenderInput> awaitingRender(String tenantId, UUID documentId) {
    return find(tenantId, documentId)
        .filter(d -> d.status() == DocumentStatus.RECEIVED)
        .map(
            d ->
                new RenderInput(
                    d.mediaType(), d.pageCount(), em.find(DocumentContent.class, d.id()).bytes()));
  }

  /**
   * Stores the rendered pages, marks the document RENDERED and queues one page task per page.
   * Returns false, changing nothing, if the document is no longer waiting (another delivery of the
   * same event got there first): the row lock makes concurrent deliveries take turns.
   */
  @Transactional
  public boolean storeRendering(
      String tenantId, UUID documentId, List<RenderedPage> pages, int attempts, Instant started) {
    Optional<Document> waiting = lock(tenantId, documentId, DocumentStatus.RECEIVED);
    if (waiting.isEmpty()) {
      return false;
    }
    Document document = waiting.get();
    Instant now = now();
    for (RenderedPage page : pages) {
      em.persist(new Page(document, page, now));
      outbox.pageTask(
          new PageTask(
              documentId, tenantId, page.number(), pages.size(), page.width(), page.height()));
    }
    document.markRendered(now);
    renderJob(document).finish(Job.Status.DONE, attempts, started, now, null);
    em.flush();
    audit.append(
        tenantId,
        "render-consumer",
        AuditAction.DOCUMENT_RENDERED,
        documentId,
        timing(started, now).add("pages", pages.size()).build().toString());
    return true;
  }

  /** Marks the document FAILED for good, unless it is no longer waiting (then returns false). */
  @Transactional
  public boolean markFailed(
      String tenantId, UUID documentId, String reason, int attempts, Instant started) {
    Optional<Document> waiting = lock(tenantId, documentId, DocumentStatus.RECEIVED);
    if (waiting.isEmpty()) {
      return false;
    }
    Document document = waiting.get();
    Instant now = now();
    document.markFailed(reason, now);
    renderJob(document).finish(Job.Status.FAILED, attempts, started, now, reason);
    em.flush();
    audit.append(
        tenantId,
        "render-consumer",
        AuditAction.DOCUMENT_FAILED,
        documentId,
        timing(started, now).add("reason", reason).build().toString());
    return true;
  }

  /** Microseconds, as PostgreSQL keeps them, so an answer now and a read later agree. */
  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The document, locked until the transaction ends, if it is in {@code status}: concurrent changes
   * of one document take turns and each sees the other's outcome.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Optional<Document> lock(String tenantId, UUID documentId, DocumentStatus status) {
    return em.createQuery(
            "select d from Document d where d.tenantId = :tenant and d.id = :id", Document.class)
        .setParameter("tenant", tenantId)
        .setParameter("id", documentId)
        .setLockMode(LockModeType.PESSIMISTIC_WRITE)
        .getResultStream()
        .findFirst()
        .filter(d -> d.status() == status);
  }

  private Job renderJob(Document document) {
    return job(document.tenantId(), document.id(), Job.Kind.RENDER)
        .orElseThrow(() -> new IllegalStateException("no render job for " + document.id()));
  }

  private static JsonObjectBuilder timing(Instant started, Instant finished) {
    return Json.createObjectBuilder()
        .add("renderMillis", finished.toEpochMilli() - started.toEpochMilli());
  }
}
