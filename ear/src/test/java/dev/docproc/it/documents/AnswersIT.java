package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.docproc.domain.Sha256;
import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.domain.testing.Sql;
import dev.docproc.inference.engine.model.GenerationConfig;
import dev.docproc.inference.engine.text.QwenTokenizer;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.Json;
import dev.docproc.it.support.TestDatabase;
import dev.docproc.it.support.TestServices;
import dev.docproc.it.support.Tokens;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Upload → render → inference consumer → inference EJB → stored answer, end to end on the real
 * server with the real PostgreSQL, Kafka and Keycloak. The test server answers with the tiny
 * reference model (ear/pom.xml), so an answer can be compared with what Hugging Face transformers
 * generated for the same image and prompt (tools/reference, case rgb-png).
 */
@ExtendWith(ArquillianExtension.class)
class AnswersIT {

  private static final Sql SQL = new Sql(TestDatabase::connect);
  private static final Path MODEL = TestServices.inferenceModel();
  private static final Path REFERENCE = MODEL.getParent().getParent();

  private final String alice = Tokens.of(DemoUser.ALICE);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  @Test
  void theReferenceImageIsAnsweredExactlyAsTransformersAnsweredIt() throws IOException {
    JsonNode reference = Json.parse(Files.readString(MODEL.resolve("cases/rgb-png.json")));
    assertEquals(
        reference.at("/messages/0/content/1/text").asText(),
        TestServices.inferencePrompt(),
        "the test server asks the reference case's question");
    byte[] png = Files.readAllBytes(REFERENCE.resolve(reference.get("image").asText()));

    String id = Documents.accepted(alice, "rgb_140x140.png", png);
    JsonNode document = Documents.awaitDone(id, alice);

    assertEquals("ANSWERED", document.get("status").asText(), document.toString());
    // 140 × 140 is a multiple of 28 inside the pixel budget: rendering keeps every pixel, so the
    // engine sees the image transformers saw
    assertSamePixels(ImageIO.read(new ByteArrayInputStream(png)), pageImage(id));
    JsonNode page = document.at("/pages/0");
    assertEquals("ANSWERED", page.get("state").asText());
    JsonNode answer = page.get("answer");
    // generation_config.json samples with top_k 1 after a repetition penalty of 1.05: the
    // reference's penalized greedy tokens, up to the first end token or the token limit
    int[] tokens = expectedTokens(reference.at("/penalized_greedy/tokens"));
    boolean stopToken = tokens.length > 0 && isEndToken(tokens[tokens.length - 1]);
    try (QwenTokenizer tokenizer = QwenTokenizer.load(MODEL.resolve("tokenizer.json"))) {
      String expected =
          tokenizer.decode(Arrays.copyOf(tokens, tokens.length - (stopToken ? 1 : 0)), true);
      assertTrue(expected.indexOf('\u0000') < 0, "stored text keeps every character");
      assertEquals(expected, answer.get("text").asText());
    }
    assertEquals(tokens.length, answer.get("answerTokens").asInt());
    assertEquals(stopToken ? "STOP_TOKEN" : "MAX_TOKENS", answer.get("stopReason").asText());
    assertEquals(reference.get("input_ids").size(), answer.get("promptTokens").asInt());
    assertEquals(TestServices.inferencePrompt(), answer.get("prompt").asText());
    assertEquals(MODEL.toString(), answer.get("model").asText());
    assertEquals(
        answer.get("text").asText(),
        Json.parse(Api.get("/documents/" + id + "/pages/1/answer", alice).body())
            .get("text")
            .asText());
  }

  @Test
  void everyPageOfARealInvoiceGetsAnAnswerWithTokensTimingsAndAuditEvents() {
    String id =
        Documents.accepted(alice, "AzureInterior.pdf", SampleFiles.invoice("AzureInterior.pdf"));

    JsonNode document = Documents.awaitDone(id, alice);

    assertEquals("ANSWERED", document.get("status").asText(), document.toString());
    assertAllPagesAnswered(id, document);
  }

  @Test
  void aDocumentIsAnsweredOnlyWhenItsLastPageIs() {
    String id = Documents.accepted(alice, "three.pdf", SampleFiles.pdf(3, PDRectangle.A5));

    JsonNode document = Documents.awaitDone(id, alice);

    assertEquals("ANSWERED", document.get("status").asText(), document.toString());
    assertAllPagesAnswered(id, document);
  }

  @Test
  void aPageTaskDeliveredAgainIsNotAnsweredTwice() {
    String id = Documents.accepted(alice, "oyo.pdf", SampleFiles.invoice("oyo.pdf"));
    String first = Documents.awaitDone(id, alice).at("/pages/0/answer/answeredAt").asText();
    String task =
        "{\"type\":\"PageTask\",\"documentId\":\""
            + id
            + "\",\"tenantId\":\"acme\",\"pageNumber\":1,\"pageCount\":1,\"width\":840,"
            + "\"height\":1176}";

    Kafka.awaitHandled(
        Kafka.ANSWER_GROUP, Kafka.publish("docproc.pages", id, task), Duration.ofSeconds(60));

    assertEquals(1, SQL.count("select count(*) from page_answers where document_id = ?::uuid", id));
    assertEquals(first, Documents.get(id, alice).at("/pages/0/answer/answeredAt").asText());
    assertEquals(
        1, actions(id).stream().filter("PAGE_ANSWERED"::equals).count(), actions(id).toString());
  }

  @Test
  void theAdministratorSeesTheEngineReadyWithItsCounters() {
    String id = Documents.accepted(alice, "oyo.pdf", SampleFiles.invoice("oyo.pdf"));
    Documents.awaitDone(id, alice);

    HttpResponse<String> response = Api.get("/admin/inference", Tokens.of(DemoUser.CAROL));

    assertEquals(200, response.statusCode(), response.body());
    JsonNode status = Json.parse(response.body());
    assertEquals("READY", status.get("state").asText(), status.toString());
    assertEquals(MODEL.toString(), status.get("model").asText());
    assertTrue(status.get("backend").asText().startsWith("cpu"), status.toString());
    assertTrue(status.path("reason").isMissingNode(), "no reason when READY: " + status);
    JsonNode metrics = status.get("metrics");
    assertTrue(metrics.get("answered").asLong() >= 1, metrics.toString());
    assertTrue(metrics.get("answerTokens").asLong() >= 1, metrics.toString());
    assertTrue(metrics.get("promptTokens").asLong() > metrics.get("answered").asLong());
    assertTrue(metrics.get("meanTimeToFirstTokenMillis").asDouble() > 0, metrics.toString());
    assertTrue(metrics.get("tokensPerSecond").asDouble() > 0, metrics.toString());
  }

  @Test
  void theReadinessCheckReportsTheEngine() {
    HttpResponse<String> response =
        Api.send(
            HttpRequest.newBuilder(TestServices.managementUrl().resolve("health/ready"))
                .GET()
                .build());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode engine =
        StreamSupport.stream(Json.parse(response.body()).get("checks").spliterator(), false)
            .filter(c -> c.get("name").asText().equals("inference-engine"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no inference-engine check: " + response.body()));
    assertEquals("UP", engine.get("status").asText());
    assertEquals("READY", engine.at("/data/state").asText());
  }

  /** Answers on every page, with counts and times in order, and the audit trail of each. */
  private void assertAllPagesAnswered(String id, JsonNode document) {
    int pages = document.get("pageCount").asInt();
    assertEquals(pages, document.get("answeredPages").asInt());
    List<String> hashes = new ArrayList<>();
    for (JsonNode page : document.get("pages")) {
      JsonNode answer = page.get("answer");
      assertEquals("ANSWERED", page.get("state").asText(), page.toString());
      assertTrue(answer.get("promptTokens").asInt() > 0, answer.toString());
      int tokens = answer.get("answerTokens").asInt();
      assertTrue(tokens >= 1 && tokens <= TestServices.inferenceMaxTokens(), answer.toString());
      long queue = answer.get("queueMillis").asLong();
      long firstToken = answer.get("firstTokenMillis").asLong();
      long total = answer.get("totalMillis").asLong();
      assertTrue(0 <= queue && queue <= firstToken && firstToken <= total, answer.toString());
      assertEquals(MODEL.toString(), answer.get("model").asText());
      hashes.add(Sha256.hex(answer.get("text").asText().getBytes(StandardCharsets.UTF_8)));
    }
    assertTrue(document.at("/timings/answerMillis").asLong() >= 0, document.toString());

    JsonNode audit = Json.parse(Api.get("/documents/" + id + "/audit", alice).body());
    List<String> expected = new ArrayList<>(List.of("DOCUMENT_RECEIVED", "DOCUMENT_RENDERED"));
    IntStream.range(0, pages).forEach(i -> expected.add("PAGE_ANSWERED"));
    expected.add("DOCUMENT_ANSWERED");
    assertEquals(expected, actions(id));
    List<Integer> auditedPages = new ArrayList<>();
    List<String> auditedHashes = new ArrayList<>();
    for (JsonNode event : audit) {
      if (event.get("action").asText().equals("PAGE_ANSWERED")) {
        assertEquals("inference-consumer", event.get("actor").asText());
        auditedPages.add(event.at("/details/page").asInt());
        auditedHashes.add(event.at("/details/answerSha256").asText());
      }
    }
    assertEquals(
        IntStream.rangeClosed(1, pages).boxed().toList(), auditedPages.stream().sorted().toList());
    assertEquals(hashes.stream().sorted().toList(), auditedHashes.stream().sorted().toList());
  }

  private List<String> actions(String id) {
    HttpResponse<String> response = Api.get("/documents/" + id + "/audit", alice);
    assertEquals(200, response.statusCode(), response.body());
    return StreamSupport.stream(Json.parse(response.body()).spliterator(), false)
        .map(e -> e.get("action").asText())
        .toList();
  }

  /** The reference's tokens as the engine generates them: up to an end token or the limit. */
  private static int[] expectedTokens(JsonNode reference) {
    int limit = Math.min(reference.size(), TestServices.inferenceMaxTokens());
    List<Integer> tokens = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      tokens.add(reference.get(i).asInt());
      if (isEndToken(reference.get(i).asInt())) {
        break;
      }
    }
    return tokens.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean isEndToken(int token) {
    return Arrays.stream(GenerationConfig.load(MODEL).eosTokenIds()).anyMatch(id -> id == token);
  }

  private BufferedImage pageImage(String id) throws IOException {
    HttpResponse<byte[]> response =
        Api.send(
            Api.request("/documents/" + id + "/pages/1", alice)
                .header("Accept", "image/png")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    return ImageIO.read(new ByteArrayInputStream(response.body()));
  }

  private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
    assertEquals(expected.getWidth(), actual.getWidth());
    assertEquals(expected.getHeight(), actual.getHeight());
    for (int y = 0; y < expected.getHeight(); y++) {
      for (int x = 0; x < expected.getWidth(); x++) {
        assertEquals(
            expected.getRGB(x, y) & 0xffffff,
            actual.getRGB(x, y) & 0xffffff,
            "pixel " + x + "," + y);
      }
    }
  }
}
