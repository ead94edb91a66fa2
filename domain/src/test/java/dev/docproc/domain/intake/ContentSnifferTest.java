package dev.docproc.domain.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.domain.testing.SampleFiles;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentSnifferTest {

  private static Optional<MediaType> sniff(byte[] bytes) {
    return ContentSniffer.sniff(bytes, bytes.length);
  }

  @Test
  void everySampleInvoiceIsAPdf() {
    for (String invoice : SampleFiles.invoices()) {
      assertEquals(Optional.of(MediaType.PDF), sniff(SampleFiles.invoice(invoice)), invoice);
    }
  }

  @Test
  void imagesAreKnownByTheirSignature() {
    assertEquals(Optional.of(MediaType.PNG), sniff(SampleFiles.image("png", 8, 8)));
    assertEquals(Optional.of(MediaType.JPEG), sniff(SampleFiles.image("jpeg", 8, 8)));
    assertEquals(Optional.of(MediaType.TIFF), sniff(SampleFiles.image("tiff", 8, 8)));
  }

  @Test
  void bigEndianTiffIsATiff() {
    assertEquals(Optional.of(MediaType.TIFF), sniff(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8}));
  }

  @Test
  void textIsNothingWeAccept() {
    assertEquals(Optional.empty(), sniff(SampleFiles.textFile()));
  }

  @Test
  void aPdfHeaderMayFollowJunkWithinTheFirstKilobyte() {
    byte[] junkThenPdf =
        ("\r\n\r\n" + "x".repeat(500) + "%PDF-1.4\n").getBytes(StandardCharsets.US_ASCII);
    assertEquals(Optional.of(MediaType.PDF), sniff(junkThenPdf));
    byte[] tooFar =
        ("x".repeat(ContentSniffer.HEAD_BYTES) + "%PDF-1.4\n").getBytes(StandardCharsets.US_ASCII);
    assertEquals(Optional.empty(), sniff(tooFar));
  }

  @Test
  void aTruncatedSignatureIsNotEnough() {
    assertEquals(Optional.empty(), sniff(new byte[] {(byte) 0x89, 'P', 'N'}));
    assertEquals(Optional.empty(), sniff(new byte[] {(byte) 0xff, (byte) 0xd8}));
    assertEquals(Optional.empty(), sniff(new byte[0]));
  }
}
