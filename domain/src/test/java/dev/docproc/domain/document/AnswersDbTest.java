package dev.docproc.domain.document;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.Sha256;
import dev.docproc.domain.audit.AuditRecord;
import dev.docproc.domain.intake.MediaType;
import dev.docproc.domain.testing.Jpa;
import dev.docproc.domain.testing.Sql;
import dev.docproc.migrations.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AnswersDbTest {

  private static final Sql SQL = Sql.testDatabase();

  private final String tenant = TestDatabase.newTenantId();

  /** A document with two rendered pages, waiting for their answers. */
  private UUID renderedDocument() {
    Document d =
        Jpa.inTransaction(
            em ->
                Jpa.documents(em)
                    .register(
                        new Documents.NewDocument(
                            tenant,
                            "alice",
                            "invoice.pdf",
                            MediaType.PDF,
                            3,
                            "cd".repeat(32),
                            2,
                            null),
                        new byte[] {1, 2, 3}));
    Jpa.inTransaction(
        em ->
            Jpa.documents(em)
                .storeRendering(
                    tenant,
                    d.id(),
                    List.of(
                        new RenderedPage(1, 840, 1176, new byte[] {10}),
                        new RenderedPage(2, 840, 1176, new byte[] {20})),
                    1,
                    Instant.now()));
    return d.id();
  }

  private static NewAnswer answer(String text) {
    return new NewAnswer(
        "What is the total?", text, 1300, 12, "STOP_TOKEN", 5, 900, 1400, "org/model", "abc123");
  }

  private boolean store(UUID id, int page, String text) {
    return Jpa.inTransaction(em -> Jpa.answers(em).store(tenant, id, page, answer(text)));
  }

  private boolean failPage(String tenantId, UUID id, int page, String reason, int attempts) {
    return Jpa.inTransaction(em -> Jpa.answers(em).failPage(tenantId, id, page, reason, attempts));
  }

  private DocumentStatus status(UUID id) {
    return Jpa.inTransaction(em -> Jpa.documents(em).find(tenant, id).orElseThrow().status());
  }

  private List<String> auditActions(UUID id) {
    return Jpa.inTransaction(em -> Jpa.auditTrail(em).forDocument(tenant, id)).stream()
        .map(AuditRecord::action)
        .toList();
  }

  @Test
  void theLastAnswerMarksTheDocumentAnsweredAndEveryStepIsAudited() {
    UUID id = renderedDocument();
    assertArrayEquals(
        new byte[] {20},
        Jpa.inTransaction(em -> Jpa.answers(em).awaitingAnswer(tenant, id, 2)).orElseThrow());

    assertTrue(store(id, 2, "{\"total\": 42}"));
    assertEquals(DocumentStatus.RENDERED, status(id));
    assertTrue(store(id, 1, "{\"total\": null}"));

    assertEquals(DocumentStatus.ANSWERED, status(id));
    assertEquals(
        List.of(
            "DOCUMENT_RECEIVED",
            "DOCUMENT_RENDERED",
            "PAGE_ANSWERED",
            "PAGE_ANSWERED",
            "DOCUMENT_ANSWERED"),
        auditActions(id));
    AuditRecord page2 = Jpa.inTransaction(em -> Jpa.auditTrail(em).forDocument(tenant, id)).get(2);
    assertTrue(
        page2
            .details()
            .contains(
                "\"answerSha256\":\""
                    + Sha256.hex("{\"total\": 42}".getBytes(StandardCharsets.UTF_8))
                    + "\""),
        page2.details());
    List<Answer> answers = Jpa.inTransaction(em -> Jpa.answers(em).forDocument(tenant, id));
    assertEquals(List.of(1, 2), answers.stream().map(Answer::pageNumber).toList());
    Answer first = answers.getFirst();
    assertEquals("{\"total\": null}", first.text());
    assertEquals("What is the total?", first.prompt());
    assertEquals(1300, first.promptTokens());
    assertEquals(12, first.answerTokens());
    assertEquals(900, first.firstTokenMillis());
    assertEquals("abc123", first.modelRevision());
    assertEquals(
        Optional.empty(), Jpa.inTransaction(em -> Jpa.answers(em).awaitingAnswer(tenant, id, 1)));
  }

  @Test
  void anAnsweredPageIsNotAnsweredTwice() {
    UUID id = renderedDocument();
    assertTrue(store(id, 1, "first"));

    assertFalse(store(id, 1, "second"));

    assertEquals(
        Optional.empty(), Jpa.inTransaction(em -> Jpa.answers(em).awaitingAnswer(tenant, id, 1)));
    assertEquals(
        "first", Jpa.inTransaction(em -> Jpa.answers(em).find(tenant, id, 1)).orElseThrow().text());
    assertEquals(1, SQL.count("select count(*) from page_answers where document_id = ?", id));
  }

  @Test
  void concurrentDeliveriesOfOnePageStoreOnce() throws Exception {
    UUID id = renderedDocument();
    Callable<Boolean> deliver = () -> store(id, 1, "answer");
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<Boolean> a = pool.submit(deliver);
      Future<Boolean> b = pool.submit(deliver);
      assertTrue(a.get() ^ b.get(), "exactly one delivery stores the answer");
    }
    assertEquals(1, SQL.count("select count(*) from page_answers where document_id = ?", id));
  }

  @Test
  void aPageThatCannotBeAnsweredFailsTheDocumentWithTheReason() {
    UUID id = renderedDocument();
    assertTrue(store(id, 1, "fine"));

    assertTrue(failPage(tenant, id, 2, "image data could not be decoded", 1));

    Document failed = Jpa.inTransaction(em -> Jpa.documents(em).find(tenant, id).orElseThrow());
    assertEquals(DocumentStatus.FAILED, failed.status());
    assertEquals(
        "Page 2 could not be answered: image data could not be decoded", failed.failureReason());
    assertEquals("DOCUMENT_FAILED", auditActions(id).getLast());
    assertFalse(store(id, 2, "late"), "a failed document takes no more answers");
    assertFalse(failPage(tenant, id, 2, "again", 2), "a failed document fails once");
    assertEquals(
        Optional.empty(), Jpa.inTransaction(em -> Jpa.answers(em).awaitingAnswer(tenant, id, 2)));
  }

  @Test
  void anotherTenantsDocumentIsNoneOfItsBusiness() {
    UUID id = renderedDocument();
    String other = TestDatabase.newTenantId();

    assertThrows(
        IllegalStateException.class,
        () -> Jpa.inTransaction(em -> Jpa.answers(em).awaitingAnswer(other, id, 1)));
    boolean stored = Jpa.inTransaction(em -> Jpa.answers(em).store(other, id, 1, answer("x")));
    assertFalse(stored);
    assertEquals(List.of(), Jpa.inTransaction(em -> Jpa.answers(em).forDocument(other, id)));
    assertEquals(0, SQL.count("select count(*) from page_answers where document_id = ?", id));
  }
}
