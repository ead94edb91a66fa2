package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.domain.testing.Sql;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.Json;
import dev.docproc.it.support.TestDatabase;
import dev.docproc.it.support.Tokens;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit trail's hash chain holds, and a row changed behind the database's back (the append-only
 * trigger disabled) is found. The test puts the row back as it was, so the chain holds again for
 * whatever runs next.
 */
@ExtendWith(ArquillianExtension.class)
class AuditChainIT {

  private static final Sql SQL = new Sql(TestDatabase::connect);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  @Test
  void theChainVerifiesAndATamperedRowIsFound() {
    String carol = Tokens.of(DemoUser.CAROL);
    String alice = Tokens.of(DemoUser.ALICE);
    String acmeId = Documents.accepted(alice, "oyo.pdf", SampleFiles.invoice("oyo.pdf"));
    Documents.awaitDone(acmeId, alice);
    JsonNode rendered = audit(acmeId, carol).get(1);
    assertEquals("DOCUMENT_RENDERED", rendered.get("action").asText());
    long acmeSeq = rendered.get("seq").asLong();
    assertTrue(verify(carol).get("intact").asBoolean());

    String change =
        "update audit_events set actor = 'mallory' where tenant_id = 'acme' and seq = " + acmeSeq;
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> SQL.execute(change));
    assertTrue(refused.getCause().getMessage().contains("append-only"));
    behindTheTriggersBack(change);
    try {
      JsonNode tampered = verify(carol);
      assertFalse(tampered.get("intact").asBoolean(), tampered.toString());
      assertEquals(acmeSeq, tampered.get("firstBrokenSeq").asLong());
    } finally {
      behindTheTriggersBack(
          "update audit_events set actor = 'render-consumer' where tenant_id = 'acme' and seq = "
              + acmeSeq);
    }
    assertTrue(verify(carol).get("intact").asBoolean());
  }

  private static void behindTheTriggersBack(String statement) {
    SQL.execute(
        "alter table audit_events disable trigger audit_events_append_only",
        statement,
        "alter table audit_events enable trigger audit_events_append_only");
  }

  private static JsonNode audit(String id, String token) {
    HttpResponse<String> response = Api.get("/documents/" + id + "/audit", token);
    assertEquals(200, response.statusCode(), response.body());
    return Json.parse(response.body());
  }

  private static JsonNode verify(String token) {
    HttpResponse<String> response = Api.get("/audit/verify", token);
    assertEquals(200, response.statusCode(), response.body());
    return Json.parse(response.body());
  }
}
