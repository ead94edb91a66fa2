package dev.docproc.domain.document;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.audit.AuditRecord;
import dev.docproc.domain.intake.MediaType;
import dev.docproc.domain.outbox.PageTask;
import dev.docproc.domain.outbox.Topics;
import dev.docproc.domain.testing.Jpa;
import dev.docproc.domain.testing.Sql;
import dev.docproc.migrations.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DocumentsDbTest {

  private static final Sql SQL = Sql.testDatabase();

  private final String tenant = TestDatabase.newTenantId();

  private Document register(String tenantId, String key) {
    return Jpa.inTransaction(
        em ->
            Jpa.documents(em)
                .register(
                    new Documents.NewDocument(
                        tenantId,
                        "alice",
                        "invoice.pdf",
                        MediaType.PDF,
                        3,
                        "ab".repeat(32),
                        2,
                        key),
                    new byte[] {1, 2, 3}));
  }

  private static List<RenderedPage> twoPages() {
    return List.of(
        new RenderedPage(1, 840, 1176, new byte[] {10}),
        new RenderedPage(2, 840, 1176, new byte[] {20}));
  }

  private boolean storeRendering(String tenantId, UUID id) {
    return Jpa.inTransaction(
        em -> Jpa.documents(em).storeRendering(tenantId, id, twoPages(), 1, Instant.now()));
  }

  @Test
  void anUploadStoresDocumentContentJobRenderEventAndAuditTogether() {
    Document d = register(tenant, null);
    assertEquals(
        1,
        SQL.count(
            "select count(*) from documents where tenant_id = ? and status = 'RECEIVED'", tenant));
    assertEquals(
        1, SQL.count("select count(*) from document_content where document_id = ?", d.id()));
    assertEquals(
        1,
        SQL.count("select count(*) from jobs where document_id = ? and status = 'QUEUED'", d.id()));
    assertEquals(
        1,
        SQL.count(
            "select count(*) from outbox where tenant_id = ? and topic = ? and message_key = ?",
            tenant,
            Topics.DOCUMENTS,
            d.id().toString()));
    List<AuditRecord> audit =
        Jpa.inTransaction(em -> Jpa.auditTrail(em).forDocument(tenant, d.id()));
    assertEquals(List.of("DOCUMENT_RECEIVED"), audit.stream().map(AuditRecord::action).toList());
  }

  @Test
  void renderingTheSameDocumentTwiceStoresOneSetOfPages() {
    Document d = register(tenant, null);
    assertTrue(storeRendering(tenant, d.id()));
    assertFalse(storeRendering(tenant, d.id()));
    boolean lateFailure =
        Jpa.inTransaction(
            em -> Jpa.documents(em).markFailed(tenant, d.id(), "late", 1, Instant.now()));
    assertFalse(lateFailure);

    assertEquals(2, SQL.count("select count(*) from pages where document_id = ?", d.id()));
    assertEquals(
        2,
        SQL.count(
            "select count(*) from outbox where topic = ? and message_key = ?",
            Topics.PAGES,
            d.id().toString()));
    Document stored = Jpa.inTransaction(em -> Jpa.documents(em).find(tenant, d.id()).orElseThrow());
    assertEquals(DocumentStatus.RENDERED, stored.status());
    assertEquals(
        List.of("DOCUMENT_RECEIVED", "DOCUMENT_RENDERED"),
        Jpa.inTransaction(em -> Jpa.auditTrail(em).forDocument(tenant, d.id())).stream()
            .map(AuditRecord::action)
            .toList());
    Job job =
        Jpa.inTransaction(
            em -> Jpa.documents(em).job(tenant, d.id(), Job.Kind.RENDER).orElseThrow());
    assertEquals(Job.Status.DONE, job.status());
    assertTrue(job.finishedAt() != null && job.startedAt() != null);
  }

  @Test
  void concurrentDeliveriesStoreOnce() throws Exception {
    Document d = register(tenant, null);
    Callable<Boolean> deliver = () -> storeRendering(tenant, d.id());
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<Boolean> a = pool.submit(deliver);
      Future<Boolean> b = pool.submit(deliver);
      assertTrue(a.get() ^ b.get(), "exactly one delivery stores the pages");
    }
    assertEquals(2, SQL.count("select count(*) from pages where document_id = ?", d.id()));
  }

  @Test
  void pageTasksCarryWhatInferenceNeeds() {
    Document d = register(tenant, null);
    storeRendering(tenant, d.id());
    String payload =
        Jpa.inTransaction(
            em ->
                em.createQuery(
                        "select o.payload from OutboxMessage o where o.topic = :topic and o.key = :key"
                            + " order by o.id",
                        String.class)
                    .setParameter("topic", Topics.PAGES)
                    .setParameter("key", d.id().toString())
                    .getResultList()
                    .get(1));
    assertEquals(new PageTask(d.id(), tenant, 2, 2, 840, 1176), PageTask.fromJson(payload));
  }

  @Test
  void aFailedRenderingKeepsItsReason() {
    Document d = register(tenant, null);
    boolean failed =
        Jpa.inTransaction(
            em ->
                Jpa.documents(em)
                    .markFailed(tenant, d.id(), "page 1: broken font", 3, Instant.now()));
    assertTrue(failed);
    Document stored = Jpa.inTransaction(em -> Jpa.documents(em).find(tenant, d.id()).orElseThrow());
    assertEquals(DocumentStatus.FAILED, stored.status());
    assertEquals("page 1: broken font", stored.failureReason());
    assertFalse(storeRendering(tenant, d.id()));
    assertEquals(0, SQL.count("select count(*) from pages where document_id = ?", d.id()));
  }

  @Test
  void anotherTenantSeesNothing() {
    String other = TestDatabase.newTenantId();
    Document d = register(tenant, null);
    storeRendering(tenant, d.id());
    Jpa.inTransaction(
        em -> {
          Documents documents = Jpa.documents(em);
          assertEquals(Optional.empty(), documents.find(other, d.id()));
          assertEquals(Optional.empty(), documents.pageImage(other, d.id(), 1));
          assertEquals(List.of(), documents.pages(other, d.id()));
          assertEquals(0, documents.list(other, Optional.empty(), 0, 10).total());
          assertArrayEquals(new byte[] {10}, documents.pageImage(tenant, d.id(), 1).orElseThrow());
          return null;
        });
    assertFalse(storeRendering(other, d.id()));
  }

  @Test
  void listingPagesAndFiltersByStatus() {
    for (int i = 0; i < 5; i++) {
      Document d = register(tenant, null);
      if (i < 2) {
        storeRendering(tenant, d.id());
      }
    }
    Jpa.inTransaction(
        em -> {
          Documents documents = Jpa.documents(em);
          Documents.Listing firstTwo = documents.list(tenant, Optional.empty(), 0, 2);
          assertEquals(5, firstTwo.total());
          assertEquals(2, firstTwo.items().size());
          assertEquals(1, documents.list(tenant, Optional.empty(), 4, 2).items().size());
          Documents.Listing rendered =
              documents.list(tenant, Optional.of(DocumentStatus.RENDERED), 0, 10);
          assertEquals(2, rendered.total());
          assertTrue(
              rendered.items().stream().allMatch(d -> d.status() == DocumentStatus.RENDERED));
          return null;
        });
  }
}
