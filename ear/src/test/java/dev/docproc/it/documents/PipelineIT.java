package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import javax.imageio.ImageIO;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upload → outbox → Kafka → render consumer → pages (→ inference consumer → answers, see
 * AnswersIT), on the real server with the real PostgreSQL, Kafka and Keycloak; redelivery and
 * poison records.
 */
@ExtendWith(ArquillianExtension.class)
class PipelineIT {

  private static final Sql SQL = new Sql(TestDatabase::connect);

  private final String alice = Tokens.of(DemoUser.ALICE);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  static List<String> invoices() {
    return SampleFiles.invoices();
  }

  @ParameterizedTest
  @MethodSource("invoices")
  void everySampleInvoiceGetsItsPagesWithinThePixelBudget(String invoice) throws IOException {
    String id = Documents.accepted(alice, invoice, SampleFiles.invoice(invoice));

    JsonNode document = Documents.awaitDone(id, alice);

    assertEquals("ANSWERED", document.get("status").asText(), document.toString());
    JsonNode pages = document.get("pages");
    assertEquals(SampleFiles.expectedPages(invoice), pages.size());
    assertEquals(SampleFiles.expectedPages(invoice), document.get("pageCount").asInt());
    for (JsonNode page : pages) {
      BufferedImage image = pageImage(id, page.get("number").asInt(), alice);
      assertEquals(page.get("width").asInt(), image.getWidth());
      assertEquals(page.get("height").asInt(), image.getHeight());
      assertTrue(
          (long) image.getWidth() * image.getHeight() <= Documents.PIXEL_BUDGET,
          image.getWidth() + " × " + image.getHeight());
    }
    JsonNode timings = document.get("timings");
    assertTrue(timings.get("renderMillis").asLong() >= 0, timings.toString());
    assertTrue(timings.get("queuedMillis").asLong() >= 0, timings.toString());
  }

  @Test
  void anImageIsASinglePageDocument() throws IOException {
    String id = Documents.accepted(alice, "scan.jpg", SampleFiles.image("jpeg", 2480, 3508));

    JsonNode document = Documents.awaitDone(id, alice);

    assertEquals("ANSWERED", document.get("status").asText());
    assertEquals(1, document.get("pages").size());
    BufferedImage page = pageImage(id, 1, alice);
    assertTrue((long) page.getWidth() * page.getHeight() <= Documents.PIXEL_BUDGET);
  }

  @Test
  void anErpSystemUploadsWithClientCredentials() {
    String id = Documents.accepted(Tokens.erpAcme(), "oyo.pdf", SampleFiles.invoice("oyo.pdf"));
    JsonNode document = Documents.awaitDone(id, Tokens.erpAcme());
    assertEquals("ANSWERED", document.get("status").asText());
    assertEquals("service-account-erp-acme", document.get("uploadedBy").asText());
  }

  @Test
  void theSameIdempotencyKeyAndFileGiveTheSameDocument() {
    String key = "erp-order-" + UUID.randomUUID();
    byte[] invoice = SampleFiles.invoice("coolblue1.pdf");

    HttpResponse<String> first = Documents.upload(alice, "coolblue1.pdf", invoice, key);
    HttpResponse<String> again = Documents.upload(alice, "coolblue1.pdf", invoice, key);

    assertEquals(202, first.statusCode(), first.body());
    assertEquals(202, again.statusCode(), again.body());
    assertEquals(
        Json.parse(first.body()).get("id").asText(), Json.parse(again.body()).get("id").asText());
    assertEquals(first.headers().firstValue("Location"), again.headers().firstValue("Location"));
    assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(null));

    HttpResponse<String> other =
        Documents.upload(alice, "oyo.pdf", SampleFiles.invoice("oyo.pdf"), key);
    assertEquals(422, other.statusCode(), other.body());
    assertEquals(
        "urn:docproc:problem:idempotency-key-reused",
        Json.parse(other.body()).get("type").asText());
  }

  @Test
  void theSameEventConsumedTwiceStoresOneSetOfPages() {
    String id =
        Documents.accepted(alice, "AzureInterior.pdf", SampleFiles.invoice("AzureInterior.pdf"));
    Documents.awaitDone(id, alice);
    String event =
        "{\"type\":\"DocumentReceived\",\"documentId\":\"" + id + "\",\"tenantId\":\"acme\"}";

    Kafka.awaitHandled(
        Kafka.RENDER_GROUP, Kafka.publish("docproc.documents", id, event), Duration.ofSeconds(60));

    assertEquals(1, SQL.count("select count(*) from pages where document_id = ?::uuid", id));
    assertEquals(
        List.of("DOCUMENT_RECEIVED", "DOCUMENT_RENDERED", "PAGE_ANSWERED", "DOCUMENT_ANSWERED"),
        StreamSupport.stream(audit(id, alice).spliterator(), false)
            .map(e -> e.get("action").asText())
            .toList());
    assertEquals("ANSWERED", Documents.get(id, alice).get("status").asText());
  }

  @Test
  void aPoisonRecordIsParkedOnTheDeadLetterTopicAndTheConsumerGoesOn() {
    String marker = "not an event " + UUID.randomUUID();

    Kafka.awaitHandled(
        Kafka.RENDER_GROUP,
        Kafka.publish("docproc.documents", "poison", marker),
        Duration.ofSeconds(60));

    var parked =
        Kafka.find("docproc.documents.dlq", r -> marker.equals(r.value()), Duration.ofSeconds(30));
    assertTrue(parked.isPresent(), "the poison record is on docproc.documents.dlq");
    assertTrue(parked.get().headers().lastHeader("docproc.error") != null);
    String id = Documents.accepted(alice, "oyo.pdf", SampleFiles.invoice("oyo.pdf"));
    assertEquals("ANSWERED", Documents.awaitDone(id, alice).get("status").asText());
  }

  @Test
  void anEventThatKeepsFailingIsTriedWithBackoffThenParked() {
    // an event about a document that does not exist fails every time
    String id = UUID.randomUUID().toString();
    String event =
        "{\"type\":\"DocumentReceived\",\"documentId\":\"" + id + "\",\"tenantId\":\"acme\"}";
    long published = System.nanoTime();

    Kafka.publish("docproc.documents", id, event);

    var parked =
        Kafka.find("docproc.documents.dlq", r -> id.equals(r.key()), Duration.ofSeconds(90));
    assertTrue(parked.isPresent(), "the failing record is on docproc.documents.dlq");
    assertEquals("4", new String(parked.get().headers().lastHeader("docproc.attempts").value()));
    // backoff 500 ms, 1 s, 2 s between the four tries
    assertTrue(
        Duration.ofNanos(System.nanoTime() - published).compareTo(Duration.ofMillis(3500)) >= 0);
  }

  @Test
  void aPageThatCannotBeRenderedMarksTheDocumentFailedWithTheReason() {
    // a PNG whose header is intact (intake accepts it) and whose pixel data is cut off
    byte[] png = SampleFiles.image("png", 1200, 900);
    String id = Documents.accepted(alice, "cut.png", Arrays.copyOf(png, png.length / 2));

    JsonNode document = Documents.awaitDone(id, alice);

    assertEquals("FAILED", document.get("status").asText());
    assertTrue(
        document.get("failureReason").asText().startsWith("The PNG image could not be"),
        document.toString());
    assertEquals(0, document.get("pages").size());
    assertEquals(
        "DOCUMENT_FAILED",
        StreamSupport.stream(audit(id, alice).spliterator(), false)
            .reduce((a, b) -> b)
            .orElseThrow()
            .get("action")
            .asText());
  }

  private static JsonNode audit(String id, String token) {
    HttpResponse<String> response = Api.get("/documents/" + id + "/audit", token);
    assertEquals(200, response.statusCode(), response.body());
    return Json.parse(response.body());
  }

  private static BufferedImage pageImage(String id, int number, String token) throws IOException {
    HttpResponse<byte[]> response =
        Api.send(
            Api.request("/documents/" + id + "/pages/" + number, token)
                .header("Accept", "image/png")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertEquals("image/png", response.headers().firstValue("Content-Type").orElse(null));
    return ImageIO.read(new ByteArrayInputStream(response.body()));
  }
}
