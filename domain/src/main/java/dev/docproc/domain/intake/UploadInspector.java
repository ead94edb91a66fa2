package dev.docproc.domain.intake;

import dev.docproc.domain.render.RenderPolicy;
import dev.docproc.domain.render.RenderPolicy.PixelSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.RandomAccessReadBufferedFile;
import org.apache.pdfbox.pdfparser.PDFStreamParser;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;

/**
 * Decides whether a spooled upload can be taken in, and how many pages it has, before anything is
 * stored: by content (never by name), then by structure and size.
 */
public final class UploadInspector {

  /** A PDF's end-of-file marker must sit this close to the end; a cut-off file lacks it. */
  private static final int EOF_MARKER_WINDOW = 1024;

  private final IntakeLimits limits;
  private final RenderPolicy renderPolicy;

  public UploadInspector(IntakeLimits limits, RenderPolicy renderPolicy) {
    this.limits = limits;
    this.renderPolicy = renderPolicy;
  }

  /** What an accepted upload is. */
  public record Inspection(MediaType mediaType, int pageCount) {}

  public Inspection inspect(Path file, long size) throws IOException, UploadRejectedException {
    if (size == 0) {
      throw new UploadRejectedException(
          Rejection.EMPTY_FILE, "The uploaded file has no content. Choose the file again.");
    }
    MediaType type =
        ContentSniffer.sniff(head(file), (int) Math.min(size, ContentSniffer.HEAD_BYTES))
            .orElseThrow(
                () ->
                    new UploadRejectedException(
                        Rejection.UNSUPPORTED_TYPE,
                        "Its content is not a PDF, PNG, JPEG or TIFF file, whatever its name"
                            + " says. Export or scan the document to one of these formats."));
    int pages = type == MediaType.PDF ? inspectPdf(file) : inspectImage(file, type);
    return new Inspection(type, pages);
  }

  private int inspectPdf(Path file) throws IOException, UploadRejectedException {
    if (!endsWithEofMarker(file)) {
      throw corrupt("The PDF ends before its end-of-file marker: it was probably cut off.", null);
    }
    try (PDDocument pdf = Loader.loadPDF(new RandomAccessReadBufferedFile(file.toFile()))) {
      int pages = pdf.getNumberOfPages();
      if (pages == 0) {
        throw corrupt("The PDF has no pages.", null);
      }
      if (pages > limits.maxPages()) {
        throw new UploadRejectedException(
            Rejection.TOO_MANY_PAGES,
            "The PDF has "
                + pages
                + " pages; at most "
                + limits.maxPages()
                + " are accepted. Split it into smaller documents.");
      }
      int number = 0;
      for (PDPage page : pdf.getPages()) {
        number++;
        checkPageSize(number, page);
        checkContentParses(number, page);
      }
      return pages;
    } catch (InvalidPasswordException e) {
      throw new UploadRejectedException(
          Rejection.ENCRYPTED_PDF,
          "The PDF needs a password to open. Save a copy without password protection and"
              + " upload that.",
          e);
    } catch (IOException e) {
      throw corrupt("The PDF cannot be read (" + e.getMessage() + ").", e);
    }
  }

  private void checkPageSize(int number, PDPage page) throws UploadRejectedException {
    float width = page.getCropBox().getWidth();
    float height = page.getCropBox().getHeight();
    PixelSize source = renderPolicy.sourceSizeOfPage(width, height);
    if (source.pixels() > limits.maxPagePixels()) {
      throw new UploadRejectedException(
          Rejection.PAGE_TOO_LARGE,
          String.format(
              "Page %d measures %.0f × %.0f inches; at %d dpi that is %.0f megapixels, over the"
                  + " limit of %.0f megapixels. Its text would be unreadable at the size pages"
                  + " are read.",
              number,
              width / 72,
              height / 72,
              renderPolicy.maxDpi(),
              source.pixels() / 1e6,
              limits.maxPagePixels() / 1e6));
    }
  }

  /** A damaged content stream fails here, before anything is stored, rather than at render. */
  private static void checkContentParses(int number, PDPage page) throws UploadRejectedException {
    try {
      new PDFStreamParser(page).parse();
    } catch (IOException e) {
      throw corrupt("Page " + number + " of the PDF is damaged (" + e.getMessage() + ").", e);
    }
  }

  private int inspectImage(Path file, MediaType type) throws IOException, UploadRejectedException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw corrupt("The " + type + " image cannot be read.", null);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in);
        int frames = reader.getNumImages(true);
        if (frames != 1) {
          throw new UploadRejectedException(
              Rejection.TOO_MANY_PAGES,
              "The "
                  + type
                  + " file holds "
                  + frames
                  + " images; an image upload is a single page. Upload a multi-page document"
                  + " as PDF.");
        }
        PixelSize size = new PixelSize(reader.getWidth(0), reader.getHeight(0));
        if (size.pixels() > limits.maxPagePixels()) {
          throw new UploadRejectedException(
              Rejection.PAGE_TOO_LARGE,
              String.format(
                  "The image is %d × %d pixels (%.0f megapixels), over the limit of %.0f"
                      + " megapixels. Scan it at a lower resolution.",
                  size.width(), size.height(), size.pixels() / 1e6, limits.maxPagePixels() / 1e6));
        }
        return 1;
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw corrupt("The " + type + " image cannot be read (" + e.getMessage() + ").", e);
    }
  }

  private static UploadRejectedException corrupt(String detail, Throwable cause) {
    return new UploadRejectedException(
        Rejection.CORRUPT_FILE, detail + " Upload the original file again.", cause);
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(ContentSniffer.HEAD_BYTES);
    }
  }

  private static boolean endsWithEofMarker(Path file) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int window = (int) Math.min(length, EOF_MARKER_WINDOW);
      byte[] tail = new byte[window];
      raf.seek(length - window);
      raf.readFully(tail);
      return new String(tail, StandardCharsets.ISO_8859_1).contains("%%EOF");
    }
  }
}
