package dev.docproc.domain.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The sample invoices (MIT-licensed, from invoice2data; see invoices/LICENSE-invoice2data.md) and
 * generated good and bad files, for the unit, DB and integration tests.
 */
public final class SampleFiles {

  private SampleFiles() {}

  /** The sample invoice file names. */
  public static List<String> invoices() {
    return pageCounts().stringPropertyNames().stream().sorted().toList();
  }

  /** The page count an independent reader finds in an invoice. */
  public static int expectedPages(String invoice) {
    return Integer.parseInt(pageCounts().getProperty(invoice));
  }

  public static byte[] invoice(String name) {
    return resource("invoices/" + name);
  }

  /** A PDF of {@code pages} pages of the given size (points), each with a line of text. */
  public static byte[] pdf(int pages, PDRectangle size) {
    try (PDDocument pdf = new PDDocument()) {
      for (int i = 1; i <= pages; i++) {
        PDPage page = new PDPage(size);
        pdf.addPage(page);
        try (PDPageContentStream text = new PDPageContentStream(pdf, page)) {
          text.beginText();
          text.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
          text.newLineAtOffset(72, size.getHeight() - 72);
          text.showText("Invoice page " + i);
          text.endText();
        }
      }
      return save(pdf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A one-page PDF that opens only with a password. */
  public static byte[] encryptedPdf() {
    try (PDDocument pdf = new PDDocument()) {
      pdf.addPage(new PDPage(PDRectangle.A4));
      StandardProtectionPolicy policy =
          new StandardProtectionPolicy("owner-secret", "user-secret", new AccessPermission());
      policy.setEncryptionKeyLength(128);
      pdf.protect(policy);
      return save(pdf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first half of a sample invoice, as a broken download leaves it. */
  public static byte[] truncatedPdf() {
    byte[] whole = invoice("AzureInterior.pdf");
    return Arrays.copyOf(whole, whole.length / 2);
  }

  /** A PDF header followed by noise and an end marker: a PDF in name and header only. */
  public static byte[] corruptPdf() {
    byte[] noise = new byte[4096];
    new java.util.Random(7).nextBytes(noise);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(noise);
    out.writeBytes("\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** Plain text, whatever name it is uploaded under. */
  public static byte[] textFile() {
    return "Invoice 42\nTotal: 100 EUR\n".getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] image(String format, int width, int height) {
    return encode(format, List.of(drawing(width, height)));
  }

  /** A TIFF holding {@code frames} images. */
  public static byte[] multiFrameTiff(int frames) {
    return encode(
        "tiff",
        java.util.stream.IntStream.range(0, frames).mapToObj(i -> drawing(64, 64)).toList());
  }

  private static BufferedImage drawing(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(java.awt.Color.BLACK);
    g.drawLine(0, 0, width - 1, height - 1);
    g.dispose();
    return image;
  }

  private static byte[] encode(String format, List<BufferedImage> frames) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      if (frames.size() == 1) {
        writer.write(frames.getFirst());
      } else {
        writer.prepareWriteSequence(null);
        for (BufferedImage frame : frames) {
          writer.writeToSequence(new IIOImage(frame, null, null), null);
        }
        writer.endWriteSequence();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static byte[] save(PDDocument pdf) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pdf.save(out);
    return out.toByteArray();
  }

  private static Properties pageCounts() {
    Properties counts = new Properties();
    try (InputStream in =
        new java.io.ByteArrayInputStream(resource("invoices/page-counts.properties"))) {
      counts.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counts;
  }

  private static byte[] resource(String path) {
    try (InputStream in = SampleFiles.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
