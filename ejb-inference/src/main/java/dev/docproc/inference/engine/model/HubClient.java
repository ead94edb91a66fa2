package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Hugging Face hub's HTTP API as {@code huggingface_hub} uses it: {@code GET
 * /api/models/{id}/revision/{rev}?blobs=true} for the commit and the file list (with sizes and the
 * sha256 of LFS files), {@code GET /{id}/resolve/{commit}/{file}} for contents (LFS files redirect
 * to a CDN; the token is sent to the hub's host only). Downloads resume with a Range request from a
 * {@code .incomplete} file and are verified before they are moved into place.
 */
final class HubClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One file of a repository revision: git blob id, size, and sha256 when stored in LFS. */
  record RemoteFile(String name, long size, String blobId, String sha256) {
    /** The cache's blob name: sha256 for LFS files, the git blob id otherwise. */
    String etag() {
      return sha256 != null ? sha256 : blobId;
    }
  }

  record RepoInfo(String commit, List<RemoteFile> files) {}

  private final HubSettings settings;
  private final HttpClient http;

  HubClient(HubSettings settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
  }

  RepoInfo info(String id, String revision) throws IOException {
    URI uri =
        URI.create(
            settings.endpoint()
                + "/api/models/"
                + id
                + "/revision/"
                + URLEncoder.encode(revision, StandardCharsets.UTF_8)
                + "?blobs=true");
    HttpResponse<InputStream> r = send(uri, null);
    try (InputStream body = r.body()) {
      check(r, id, "revision " + revision);
      JsonNode root = JSON.readTree(body);
      List<RemoteFile> files = new ArrayList<>();
      for (JsonNode s : root.path("siblings")) {
        JsonNode lfs = s.get("lfs");
        files.add(
            new RemoteFile(
                s.path("rfilename").asText(),
                lfs != null
                    ? lfs.path("size").asLong(s.path("size").asLong(-1))
                    : s.path("size").asLong(-1),
                s.path("blobId").asText(null),
                lfs != null ? lfs.path("sha256").asText(null) : null));
      }
      String commit = root.path("sha").asText(null);
      if (commit == null) {
        throw new IOException(uri + ": the answer names no commit sha");
      }
      return new RepoInfo(commit, files);
    }
  }

  /**
   * Downloads {@code file} of {@code id}@{@code commit} into {@code blob}, resuming from {@code
   * blob.incomplete}, checking size and checksum (sha256 for LFS, git's blob sha1 otherwise).
   */
  void download(String id, String commit, RemoteFile file, Path blob, DownloadProgress progress)
      throws IOException {
    Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    if (have > file.size()) {
      Files.delete(partial);
      have = 0;
    }
    URI uri = URI.create(settings.endpoint() + "/" + id + "/resolve/" + commit + "/" + file.name());
    if (have < file.size() || file.size() == 0) {
      HttpResponse<InputStream> r = send(uri, have > 0 ? "bytes=" + have + "-" : null);
      try (InputStream in = r.body()) {
        if (r.statusCode() == 416) {
          have = file.size();
        } else {
          check(r, id, file.name());
          boolean append = r.statusCode() == 206 && have > 0;
          if (!append) {
            have = 0;
          }
          try (OutputStream out =
              Files.newOutputStream(
                  partial,
                  StandardOpenOption.CREATE,
                  append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
              out.write(buf, 0, n);
              have += n;
              progress.update(file.name(), have, file.size());
            }
          }
        }
      }
    }
    verify(file, partial);
    progress.finished(file.name(), file.size());
    Files.move(partial, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void verify(RemoteFile file, Path partial) throws IOException {
    long size = Files.size(partial);
    if (file.size() >= 0 && size != file.size()) {
      throw new IOException(
          file.name()
              + ": downloaded "
              + size
              + " bytes but the hub lists "
              + file.size()
              + "; run again to resume");
    }
    String expected = file.sha256() != null ? file.sha256() : file.blobId();
    if (expected == null) {
      return;
    }
    String actual = file.sha256() != null ? digest(partial, "SHA-256", null) : gitBlobSha1(partial);
    if (!actual.equalsIgnoreCase(expected)) {
      Files.delete(partial);
      throw new IOException(
          file.name()
              + ": checksum mismatch (expected "
              + expected
              + ", got "
              + actual
              + "); the corrupt download was deleted, run again");
    }
  }

  /** git's blob id: sha1("blob <size>\0" + content). */
  private static String gitBlobSha1(Path f) throws IOException {
    return digest(f, "SHA-1", ("blob " + Files.size(f) + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  static String digest(Path f, String algorithm, byte[] prefix) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      if (prefix != null) {
        md.update(prefix);
      }
      try (InputStream in = Files.newInputStream(f)) {
        byte[] buf = new byte[1 << 20];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** GET with redirects followed by hand, the token sent only to the hub's own host. */
  private HttpResponse<InputStream> send(URI uri, String range) throws IOException {
    String hubHost = URI.create(settings.endpoint()).getAuthority();
    for (int hop = 0; hop < 6; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET();
      b.header("User-Agent", "docproc-engine");
      if (settings.token() != null && hubHost.equals(uri.getAuthority())) {
        b.header("Authorization", "Bearer " + settings.token());
      }
      if (range != null) {
        b.header("Range", range);
      }
      HttpResponse<InputStream> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      int code = r.statusCode();
      if (code < 300 || code >= 400) {
        return r;
      }
      r.body().close();
      URI from = uri;
      String location =
          r.headers()
              .firstValue("Location")
              .orElseThrow(() -> new IOException(from + ": redirect without a Location"));
      uri = uri.resolve(location);
    }
    throw new IOException(uri + ": too many redirects");
  }

  private static void check(HttpResponse<?> r, String id, String what) throws IOException {
    int code = r.statusCode();
    if (code == 200 || code == 206) {
      return;
    }
    String hint =
        switch (code) {
          case 401, 403 ->
              ": access denied; set HF_TOKEN to a token that may read "
                  + id
                  + " (and accept its licence on the hub)";
          case 404 -> ": not found on the hub (check the model id and revision)";
          default -> "";
        };
    throw new IOException(id + " " + what + ": HTTP " + code + hint);
  }
}
