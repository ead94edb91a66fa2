package dev.docproc.domain.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.DocumentSettings;
import dev.docproc.domain.intake.IntakeLimits;
import dev.docproc.domain.intake.Rejection;
import dev.docproc.domain.intake.UploadRejectedException;
import dev.docproc.domain.render.RenderPolicy;
import dev.docproc.domain.testing.Jpa;
import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.domain.testing.Sql;
import dev.docproc.migrations.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class DocumentIntakeDbTest {

  private static final Sql SQL = Sql.testDatabase();

  private static final DocumentSettings SETTINGS =
      new DocumentSettings(
          new IntakeLimits(50L << 20, 200, 64_000_000), new RenderPolicy(1_003_520, 200));

  private final String tenant = TestDatabase.newTenantId();

  /**
   * Uploads in one transaction that commits even when the upload is refused: in the server the
   * refusal's audit event commits in a transaction of its own, and nothing else was written.
   */
  private Object attempt(String key, byte[] content) {
    return Jpa.inTransaction(
        em -> {
          try {
            return new DocumentIntake(Jpa.documents(em), SETTINGS)
                .upload(
                    new DocumentIntake.Upload(tenant, "alice", "../dir/AzureInterior.pdf", key),
                    new ByteArrayInputStream(content));
          } catch (UploadRejectedException e) {
            return e;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private DocumentIntake.Accepted upload(String key, byte[] content) {
    return assertInstanceOf(DocumentIntake.Accepted.class, attempt(key, content));
  }

  private UploadRejectedException rejected(String key, byte[] content) {
    return assertInstanceOf(UploadRejectedException.class, attempt(key, content));
  }

  @Test
  void theSameKeyAndFileGiveTheSameDocument() {
    byte[] invoice = SampleFiles.invoice("AzureInterior.pdf");
    DocumentIntake.Accepted first = upload("order-4711", invoice);
    DocumentIntake.Accepted again = upload("order-4711", invoice);
    assertFalse(first.replayed());
    assertTrue(again.replayed());
    assertEquals(first.document().id(), again.document().id());
    assertEquals("AzureInterior.pdf", first.document().filename());
    assertEquals(1, SQL.count("select count(*) from documents where tenant_id = ?", tenant));
  }

  @Test
  void theSameKeyForAnotherFileIsRefusedAndAudited() {
    upload("order-4712", SampleFiles.invoice("AzureInterior.pdf"));
    UploadRejectedException e = rejected("order-4712", SampleFiles.invoice("oyo.pdf"));
    assertEquals(Rejection.IDEMPOTENCY_KEY_REUSED, e.rejection());
    assertEquals(1, SQL.count("select count(*) from documents where tenant_id = ?", tenant));
    assertEquals(
        1,
        SQL.count(
            "select count(*) from audit_events where tenant_id = ? and action = 'UPLOAD_REJECTED'",
            tenant));
  }

  @Test
  void aRefusedUploadIsAuditedAndLeavesNothingElse() {
    UploadRejectedException e = rejected(null, SampleFiles.encryptedPdf());
    assertEquals(Rejection.ENCRYPTED_PDF, e.rejection());
    assertEquals(0, SQL.count("select count(*) from documents where tenant_id = ?", tenant));
    assertEquals(0, SQL.count("select count(*) from outbox where tenant_id = ?", tenant));
    assertEquals(
        1,
        SQL.count(
            "select count(*) from audit_events where tenant_id = ? and action = 'UPLOAD_REJECTED'"
                + " and details like '%encrypted-pdf%' and document_id is null",
            tenant));
  }
}
