package dev.docproc.domain.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpooledUploadTest {

  @Test
  void keepsTheBytesAndTheirHash() throws Exception {
    byte[] content = new byte[300_000];
    new Random(1).nextBytes(content);
    try (SpooledUpload upload = SpooledUpload.spool(new ByteArrayInputStream(content), 300_000)) {
      assertEquals(300_000, upload.size());
      assertArrayEquals(content, Files.readAllBytes(upload.file()));
      assertEquals(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)),
          upload.sha256());
    }
  }

  @Test
  void stopsReadingJustPastTheLimitAndLeavesNoFile() throws IOException {
    long limit = 1024 * 1024;
    AtomicLong served = new AtomicLong();
    // an endless upload: the spool must give up after the limit, not read it all
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            served.incrementAndGet();
            return 'x';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            served.addAndGet(len);
            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
            return len;
          }
        };
    long tempFilesBefore = countTempUploads();
    UploadRejectedException e =
        assertThrows(UploadRejectedException.class, () -> SpooledUpload.spool(endless, limit));
    assertEquals(Rejection.TOO_LARGE, e.rejection());
    assertEquals(
        "The file is larger than the limit of 1 MB. Split it or upload a smaller scan.",
        e.detail());
    assertFalse(served.get() > limit + 64 * 1024, "read " + served.get() + " bytes");
    assertEquals(tempFilesBefore, countTempUploads());
  }

  private static long countTempUploads() throws IOException {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(p -> p.getFileName().toString().startsWith("docproc-upload")).count();
    }
  }
}
