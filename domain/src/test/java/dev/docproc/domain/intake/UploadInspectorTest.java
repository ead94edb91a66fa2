package dev.docproc.domain.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.render.RenderPolicy;
import dev.docproc.domain.testing.SampleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadInspectorTest {

  private static final IntakeLimits DEFAULT_LIMITS = new IntakeLimits(50L << 20, 200, 64_000_000);
  private static final RenderPolicy DEFAULT_POLICY = new RenderPolicy(1_003_520, 200);

  @TempDir Path dir;

  private UploadInspector.Inspection inspect(byte[] content, IntakeLimits limits)
      throws IOException, UploadRejectedException {
    Path file = Files.write(dir.resolve("upload"), content);
    return new UploadInspector(limits, DEFAULT_POLICY).inspect(file, content.length);
  }

  private UploadRejectedException rejected(byte[] content, IntakeLimits limits) {
    return assertThrows(UploadRejectedException.class, () -> inspect(content, limits));
  }

  private UploadRejectedException rejected(byte[] content) {
    return rejected(content, DEFAULT_LIMITS);
  }

  @Test
  void everySampleInvoiceIsAcceptedWithItsPageCount() throws Exception {
    for (String invoice : SampleFiles.invoices()) {
      UploadInspector.Inspection inspection = inspect(SampleFiles.invoice(invoice), DEFAULT_LIMITS);
      assertEquals(MediaType.PDF, inspection.mediaType(), invoice);
      assertEquals(SampleFiles.expectedPages(invoice), inspection.pageCount(), invoice);
    }
  }

  @Test
  void imagesAreSinglePageDocuments() throws Exception {
    for (String format : new String[] {"png", "jpeg", "tiff"}) {
      UploadInspector.Inspection inspection =
          inspect(SampleFiles.image(format, 300, 200), DEFAULT_LIMITS);
      assertEquals(1, inspection.pageCount(), format);
    }
  }

  @Test
  void anEmptyFileIsRefused() {
    assertEquals(Rejection.EMPTY_FILE, rejected(new byte[0]).rejection());
  }

  @Test
  void textIsRefusedWhateverItsName() {
    UploadRejectedException e = rejected(SampleFiles.textFile());
    assertEquals(Rejection.UNSUPPORTED_TYPE, e.rejection());
    assertEquals(415, e.rejection().status());
  }

  @Test
  void aPasswordProtectedPdfIsRefused() {
    UploadRejectedException e = rejected(SampleFiles.encryptedPdf());
    assertEquals(Rejection.ENCRYPTED_PDF, e.rejection());
    assertTrue(e.detail().contains("password"), e.detail());
  }

  @Test
  void aTruncatedPdfIsRefused() {
    UploadRejectedException e = rejected(SampleFiles.truncatedPdf());
    assertEquals(Rejection.CORRUPT_FILE, e.rejection());
    assertTrue(e.detail().contains("cut off"), e.detail());
  }

  @Test
  void aCorruptPdfIsRefused() {
    assertEquals(Rejection.CORRUPT_FILE, rejected(SampleFiles.corruptPdf()).rejection());
  }

  @Test
  void morePagesThanTheLimitAreRefused() throws Exception {
    assertEquals(200, inspect(SampleFiles.pdf(200, PDRectangle.A6), DEFAULT_LIMITS).pageCount());
    UploadRejectedException e = rejected(SampleFiles.pdf(201, PDRectangle.A6));
    assertEquals(Rejection.TOO_MANY_PAGES, e.rejection());
    assertTrue(e.detail().contains("201 pages; at most 200"), e.detail());
  }

  @Test
  void aPageBeyondThePixelCapIsRefused() throws Exception {
    // 200 × 200 inches, the largest page PDF allows: 1.6 gigapixels at 200 dpi
    UploadRejectedException e = rejected(SampleFiles.pdf(1, new PDRectangle(14_400, 14_400)));
    assertEquals(Rejection.PAGE_TOO_LARGE, e.rejection());
    assertTrue(e.detail().startsWith("Page 1 measures 200 × 200 inches"), e.detail());
    // an A0 poster (62 megapixels at 200 dpi) is still fine
    assertEquals(1, inspect(SampleFiles.pdf(1, PDRectangle.A0), DEFAULT_LIMITS).pageCount());
  }

  @Test
  void anImageBeyondThePixelCapIsRefused() {
    IntakeLimits small = new IntakeLimits(50L << 20, 200, 10_000);
    UploadRejectedException e = rejected(SampleFiles.image("png", 101, 100), small);
    assertEquals(Rejection.PAGE_TOO_LARGE, e.rejection());
  }

  @Test
  void aMultiImageTiffIsRefused() {
    UploadRejectedException e = rejected(SampleFiles.multiFrameTiff(3));
    assertEquals(Rejection.TOO_MANY_PAGES, e.rejection());
    assertTrue(e.detail().contains("3 images"), e.detail());
  }

  @Test
  void aTruncatedPngIsRefused() {
    byte[] png = SampleFiles.image("png", 300, 200);
    assertEquals(Rejection.CORRUPT_FILE, rejected(java.util.Arrays.copyOf(png, 20)).rejection());
  }
}
