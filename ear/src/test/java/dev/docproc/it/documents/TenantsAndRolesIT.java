package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.Json;
import dev.docproc.it.support.Tokens;
import java.net.http.HttpResponse;
import java.util.stream.StreamSupport;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A user sees only their tenant's documents; each endpoint needs its roles. */
@ExtendWith(ArquillianExtension.class)
class TenantsAndRolesIT {

  private static String acmeDocument;

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  @BeforeAll
  static void aliceUploadsForAcme() {
    String alice = Tokens.of(DemoUser.ALICE);
    acmeDocument =
        Documents.accepted(alice, "AzureInterior.pdf", SampleFiles.invoice("AzureInterior.pdf"));
    Documents.awaitDone(acmeDocument, alice);
  }

  private static void assertProblem(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(null));
    assertEquals(status, Json.parse(response.body()).get("status").asInt());
  }

  @Test
  void anotherTenantsDocumentIsNotFoundAnywhere() {
    String bob = Tokens.of(DemoUser.BOB);
    assertProblem(Api.get("/documents/" + acmeDocument, bob), 404);
    assertProblem(
        Api.send(
            Api.request("/documents/" + acmeDocument + "/pages/1", bob)
                .header("Accept", "image/png")
                .GET()
                .build()),
        404);
    assertProblem(Api.get("/documents/" + acmeDocument + "/pages/1/answer", bob), 404);
    assertProblem(Api.get("/documents/" + acmeDocument + "/audit", bob), 404);
    JsonNode list = Json.parse(Api.get("/documents?limit=100", bob).body());
    assertTrue(
        StreamSupport.stream(list.get("items").spliterator(), false)
            .noneMatch(d -> d.get("id").asText().equals(acmeDocument)));
  }

  @Test
  void theOwnTenantSeesItInTheListFilteredByStatus() {
    String carol = Tokens.of(DemoUser.CAROL);
    JsonNode answered = Json.parse(Api.get("/documents?status=ANSWERED&limit=100", carol).body());
    assertTrue(
        StreamSupport.stream(answered.get("items").spliterator(), false)
            .anyMatch(d -> d.get("id").asText().equals(acmeDocument)));
    assertTrue(
        StreamSupport.stream(answered.get("items").spliterator(), false)
            .allMatch(d -> d.get("status").asText().equals("ANSWERED")));
    JsonNode failed = Json.parse(Api.get("/documents?status=FAILED&limit=100", carol).body());
    assertTrue(
        StreamSupport.stream(failed.get("items").spliterator(), false)
            .noneMatch(d -> d.get("id").asText().equals(acmeDocument)));
  }

  @Test
  void aReviewerWithoutUploaderCannotUpload() {
    assertProblem(
        Documents.upload(Tokens.of(DemoUser.DAVE), "oyo.pdf", SampleFiles.invoice("oyo.pdf"), null),
        403);
  }

  @Test
  void onlyReviewersAndAdminsReadTheAuditTrail() {
    assertEquals(
        200,
        Api.get("/documents/" + acmeDocument + "/audit", Tokens.of(DemoUser.CAROL)).statusCode());
    assertProblem(Api.get("/documents/" + acmeDocument + "/audit", Tokens.erpAcme()), 403);
  }

  @Test
  void onlyAdminsVerifyTheChain() {
    assertEquals(200, Api.get("/audit/verify", Tokens.of(DemoUser.CAROL)).statusCode());
    assertProblem(Api.get("/audit/verify", Tokens.of(DemoUser.ALICE)), 403);
  }

  @Test
  void onlyAdminsReadTheInferenceEngineStatus() {
    assertEquals(200, Api.get("/admin/inference", Tokens.of(DemoUser.CAROL)).statusCode());
    assertProblem(Api.get("/admin/inference", Tokens.of(DemoUser.ALICE)), 403);
    assertProblem(Api.get("/admin/inference", Tokens.erpAcme()), 403);
  }

  @Test
  void anErpSystemReadsItsTenantsAnswers() {
    HttpResponse<String> answer =
        Api.get("/documents/" + acmeDocument + "/pages/1/answer", Tokens.erpAcme());
    assertEquals(200, answer.statusCode(), answer.body());
    assertProblem(Api.get("/documents/" + acmeDocument + "/pages/2/answer", Tokens.erpAcme()), 404);
  }

  @Test
  void badPagingAndStatusAreProblems() {
    String alice = Tokens.of(DemoUser.ALICE);
    assertProblem(Api.get("/documents?status=LOST", alice), 400);
    assertProblem(Api.get("/documents?limit=1000", alice), 400);
    assertProblem(Api.get("/documents/not-a-uuid", alice), 404);
  }
}
