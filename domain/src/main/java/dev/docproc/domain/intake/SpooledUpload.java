package dev.docproc.domain.intake;

import dev.docproc.domain.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * An upload copied to a temporary file while counting its bytes and hashing them, so that a file
 * over the size limit is refused after reading one byte past the limit, never buffered whole in
 * memory. Delete it with {@link #close()}.
 */
public final class SpooledUpload implements AutoCloseable {

  private final Path file;
  private final long size;
  private final String sha256;

  private SpooledUpload(Path file, long size, String sha256) {
    this.file = file;
    this.size = size;
    this.sha256 = sha256;
  }

  /** Copies {@code in} to a temporary file; refuses it as soon as it passes {@code maxBytes}. */
  public static SpooledUpload spool(InputStream in, long maxBytes)
      throws IOException, UploadRejectedException {
    Path file = Files.createTempFile("docproc-upload", ".bin");
    try {
      MessageDigest sha256 = Sha256.newDigest();
      long size = 0;
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
        for (int n; (n = in.read(buffer)) != -1; ) {
          size += n;
          if (size > maxBytes) {
            throw new UploadRejectedException(
                Rejection.TOO_LARGE,
                "The file is larger than the limit of "
                    + describeSize(maxBytes)
                    + ". Split it or upload a smaller scan.");
          }
          out.write(buffer, 0, n);
        }
      }
      return new SpooledUpload(file, size, HexFormat.of().formatHex(sha256.digest()));
    } catch (IOException | UploadRejectedException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  public Path file() {
    return file;
  }

  public long size() {
    return size;
  }

  /** Lower-case hex SHA-256 of the content. */
  public String sha256() {
    return sha256;
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "50 MB" for whole mebibytes, else the byte count. */
  public static String describeSize(long bytes) {
    return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MB" : bytes + " bytes";
  }
}
