package dev.docproc.domain.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.testing.Jpa;
import dev.docproc.domain.testing.Sql;
import dev.docproc.migrations.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AuditTrailDbTest {

  private static final Sql SQL = Sql.testDatabase();

  private void append(String tenant, int n) {
    Jpa.inTransaction(
        em ->
            Jpa.auditTrail(em)
                .append(
                    tenant,
                    "alice",
                    AuditAction.DOCUMENT_RECEIVED,
                    UUID.randomUUID(),
                    "{\"n\":" + n + "}"));
  }

  @Test
  void concurrentAppendsFormOneUnbrokenChain() throws Exception {
    String tenant = TestDatabase.newTenantId();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> appends = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        int n = i;
        appends.add(pool.submit(() -> append(tenant, n)));
      }
      for (Future<?> f : appends) {
        f.get();
      }
    }
    AuditTrail.Verification verification =
        Jpa.inTransaction(em -> Jpa.auditTrail(em).verify(tenant));
    assertEquals(80, verification.events());
    assertTrue(verification.intact(), verification.toString());
    assertEquals(80, SQL.count("select max(seq) from audit_events where tenant_id = ?", tenant));
  }

  @Test
  void aRowChangedBehindTheTriggersBackIsFound() {
    String tenant = TestDatabase.newTenantId();
    String other = TestDatabase.newTenantId();
    for (int i = 0; i < 5; i++) {
      append(tenant, i);
      append(other, i);
    }
    SQL.execute(
        "alter table audit_events disable trigger audit_events_append_only",
        "update audit_events set details = '{\"n\":99}' where tenant_id = '"
            + tenant
            + "' and seq = 3",
        "alter table audit_events enable trigger audit_events_append_only");

    AuditTrail.Verification tampered = Jpa.inTransaction(em -> Jpa.auditTrail(em).verify(tenant));
    assertFalse(tampered.intact());
    assertEquals(3, tampered.firstBreak().orElseThrow().seq());
    assertTrue(Jpa.inTransaction(em -> Jpa.auditTrail(em).verify(other)).intact());
  }

  @Test
  void aDeletedRowIsFound() {
    String tenant = TestDatabase.newTenantId();
    for (int i = 0; i < 4; i++) {
      append(tenant, i);
    }
    SQL.execute(
        "alter table audit_events disable trigger audit_events_append_only",
        "delete from audit_events where tenant_id = '" + tenant + "' and seq = 2",
        "alter table audit_events enable trigger audit_events_append_only");
    assertEquals(
        2,
        Jpa.inTransaction(em -> Jpa.auditTrail(em).verify(tenant))
            .firstBreak()
            .orElseThrow()
            .seq());
  }
}
