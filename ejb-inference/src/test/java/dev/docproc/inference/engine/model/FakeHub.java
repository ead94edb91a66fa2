package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local imitation of the hub endpoints the client uses (revision info with blobs, resolve with a
 * CDN redirect for LFS files, Range requests, token checks) with faults to inject. It fakes a
 * remote service for the pure client logic; it runs on a free port chosen at start.
 */
final class FakeHub implements AutoCloseable {
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  record Request(String path, String range, String authorization) {}

  private final HttpServer server;
  private final HttpServer cdn; // LFS content, on its own port: another host as far as tokens go
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile String requiredToken;
  volatile String cutOnce; // file whose next download stops half-way
  volatile String corrupt; // file served with a flipped byte

  FakeHub(String id) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", e -> handle(id, e));
    server.start();
    cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    cdn.createContext("/", e -> handle(id, e));
    cdn.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void put(String name, byte[] content) {
    files.put(name, content);
  }

  static boolean isLfs(String name) {
    return name.endsWith(".safetensors");
  }

  static String hex(String algorithm, byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      for (byte[] p : parts) {
        md.update(p);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(String id, HttpExchange e) throws IOException {
    String path = e.getRequestURI().getPath();
    String auth = e.getRequestHeaders().getFirst("Authorization");
    requests.add(new Request(path, e.getRequestHeaders().getFirst("Range"), auth));
    try (e) {
      boolean fromCdn = path.startsWith("/cdn/");
      if (!fromCdn && requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
        e.sendResponseHeaders(401, -1);
        return;
      }
      if (path.equals("/api/models/" + id + "/revision/main")) {
        send(e, 200, info());
      } else if (path.startsWith("/" + id + "/resolve/" + COMMIT + "/")) {
        String name = path.substring(("/" + id + "/resolve/" + COMMIT + "/").length());
        if (!files.containsKey(name)) {
          e.sendResponseHeaders(404, -1);
        } else if (isLfs(name)) {
          e.getResponseHeaders()
              .add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + name);
          e.sendResponseHeaders(302, -1);
        } else {
          serve(e, name);
        }
      } else if (fromCdn) {
        serve(e, path.substring("/cdn/".length()));
      } else {
        e.sendResponseHeaders(404, -1);
      }
    }
  }

  private byte[] info() throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("id", "x").put("sha", COMMIT);
    ArrayNode siblings = root.putArray("siblings");
    for (var f : files.entrySet()) {
      ObjectNode s = siblings.addObject().put("rfilename", f.getKey());
      byte[] c = f.getValue();
      if (isLfs(f.getKey())) {
        s.put("blobId", hex("SHA-1", "pointer".getBytes(StandardCharsets.UTF_8)));
        s.put("size", 134);
        s.putObject("lfs")
            .put("sha256", hex("SHA-256", c))
            .put("size", c.length)
            .put("pointerSize", 134);
      } else {
        s.put(
            "blobId",
            hex("SHA-1", ("blob " + c.length + "\0").getBytes(StandardCharsets.US_ASCII), c));
        s.put("size", c.length);
      }
    }
    return json.writeValueAsBytes(root);
  }

  private void serve(HttpExchange e, String name) throws IOException {
    byte[] content = files.get(name).clone();
    if (name.equals(corrupt)) {
      content[content.length / 2] ^= 1;
    }
    String range = e.getRequestHeaders().getFirst("Range");
    int from = 0;
    if (range != null && range.startsWith("bytes=")) {
      from = Integer.parseInt(range.substring(6, range.indexOf('-')));
      if (from >= content.length) {
        e.sendResponseHeaders(416, -1);
        return;
      }
      e.getResponseHeaders()
          .add(
              "Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    }
    int length = content.length - from;
    e.sendResponseHeaders(from > 0 ? 206 : 200, length);
    OutputStream out = e.getResponseBody();
    if (name.equals(cutOnce)) {
      cutOnce = null;
      out.write(content, from, length / 2);
      out.flush();
      throw new IOException("connection dropped on purpose");
    }
    out.write(content, from, length);
  }

  private static void send(HttpExchange e, int code, byte[] body) throws IOException {
    e.getResponseHeaders().add("Content-Type", "application/json");
    e.sendResponseHeaders(code, body.length);
    e.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
    cdn.stop(0);
  }
}
