package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/** The documents API as a client uses it: multipart uploads, polling a document's status. */
final class Documents {

  /** The default pixel budget (docproc.render.pixel-budget). */
  static final long PIXEL_BUDGET = 1_003_520;

  private static final Duration POLL = Duration.ofMillis(200);

  private Documents() {}

  /** POSTs {@code content} as the multipart part "file"; {@code idempotencyKey} may be null. */
  static HttpResponse<String> upload(
      String token, String filename, byte[] content, String idempotencyKey) {
    String boundary = "docproc-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder request =
        Api.request("/documents", token)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return Api.send(request.build());
  }

  /** Uploads and returns the new document's id, failing unless the answer is 202. */
  static String accepted(String token, String filename, byte[] content) {
    HttpResponse<String> response = upload(token, filename, content, null);
    assertEquals(202, response.statusCode(), response.body());
    return Json.parse(response.body()).get("id").asText();
  }

  static JsonNode get(String id, String token) {
    HttpResponse<String> response = Api.get("/documents/" + id, token);
    assertEquals(200, response.statusCode(), response.body());
    return Json.parse(response.body());
  }

  /** Polls the document until its status is one of {@code done}; returns it then. */
  static JsonNode awaitStatus(String id, String token, Set<String> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode document = get(id, token);
    while (!done.contains(document.get("status").asText())) {
      if (System.nanoTime() > deadline) {
        fail("document " + id + " still " + document.get("status") + " after " + timeout);
      }
      sleep(POLL);
      document = get(id, token);
    }
    return document;
  }

  /** Polls until the document is final: every page answered, or failed. */
  static JsonNode awaitDone(String id, String token) {
    return awaitStatus(id, token, Set.of("ANSWERED", "FAILED"), Duration.ofSeconds(120));
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
