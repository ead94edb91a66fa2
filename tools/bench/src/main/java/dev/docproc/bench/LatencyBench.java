package dev.docproc.bench;

import dev.docproc.domain.testing.SampleFiles;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Upload → pages-ready latency against the running platform (the README's run command): N
 * concurrent uploads of AzureInterior.pdf, each polled until RENDERED; p50/p95 of the time from
 * sending the upload to seeing RENDERED. The peer is the same done one upload at a time.
 *
 * <p>Settings (environment): DOCPROC_URL (http://127.0.0.1:8080), DOCPROC_TOKEN_URL (the docproc
 * realm's token endpoint on 127.0.0.1:8180), DOCPROC_CLIENT_ID / DOCPROC_CLIENT_SECRET (erp-acme,
 * client credentials). Argument: concurrent uploads (default 20).
 */
public final class LatencyBench {

  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration GIVE_UP = Duration.ofMinutes(5);

  private final HttpClient http = HttpClient.newHttpClient();
  private final String baseUrl = env("DOCPROC_URL", "http://127.0.0.1:8080");
  private final byte[] invoice = SampleFiles.invoice("AzureInterior.pdf");
  private final String token;

  private LatencyBench() throws Exception {
    this.token = fetchToken();
  }

  public static void main(String[] args) throws Exception {
    int concurrent = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    LatencyBench bench = new LatencyBench();
    bench.uploadAndWait(); // warm-up
    System.out.printf("%s, %d cores%n", bench.baseUrl, Runtime.getRuntime().availableProcessors());
    report("peer: 1 upload at a time, " + concurrent + " in a row", bench.sequential(concurrent));
    report(concurrent + " concurrent uploads", bench.concurrent(concurrent));
  }

  private List<Long> sequential(int n) throws Exception {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      millis.add(uploadAndWait());
    }
    return millis;
  }

  private List<Long> concurrent(int n) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      List<Future<Long>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        runs.add(pool.submit(this::uploadAndWait));
      }
      List<Long> millis = new ArrayList<>();
      for (Future<Long> run : runs) {
        millis.add(run.get());
      }
      return millis;
    }
  }

  private static void report(String what, List<Long> millis) {
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf(
        "%-40s p50 %5d ms  p95 %5d ms  max %5d ms%n",
        what, percentile(sorted, 50), percentile(sorted, 95), sorted.getLast());
  }

  /** Nearest-rank percentile. */
  private static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(rank, 1) - 1);
  }

  /** Milliseconds from sending the upload until the document shows RENDERED. */
  private long uploadAndWait() throws Exception {
    long start = System.nanoTime();
    String boundary = UUID.randomUUID().toString();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\";"
                + " filename=\"AzureInterior.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(invoice);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> accepted =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/documents"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (accepted.statusCode() != 202) {
      throw new IllegalStateException("upload: " + accepted.statusCode() + " " + accepted.body());
    }
    URI location =
        URI.create(baseUrl).resolve(accepted.headers().firstValue("Location").orElseThrow());
    while (System.nanoTime() - start < GIVE_UP.toNanos()) {
      String status =
          json(http.send(
                      HttpRequest.newBuilder(location)
                          .header("Authorization", "Bearer " + token)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
              .getString("status");
      if (status.equals("RENDERED")) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      if (status.equals("FAILED")) {
        throw new IllegalStateException(location + " failed");
      }
      Thread.sleep(POLL);
    }
    throw new IllegalStateException(location + " not rendered within " + GIVE_UP);
  }

  private String fetchToken() throws Exception {
    String form =
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(env("DOCPROC_CLIENT_ID", "erp-acme"), StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(
                env("DOCPROC_CLIENT_SECRET", "erp-acme-demo-secret"), StandardCharsets.UTF_8);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        env(
                            "DOCPROC_TOKEN_URL",
                            "http://127.0.0.1:8180/realms/docproc/protocol/openid-connect/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("token: " + response.statusCode() + " " + response.body());
    }
    return json(response.body()).getString("access_token");
  }

  private static JsonObject json(String body) {
    return Json.createReader(new StringReader(body)).readObject();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
