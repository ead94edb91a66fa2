package dev.docproc.pipeline.render;

import dev.docproc.domain.document.RenderedPage;
import dev.docproc.domain.intake.MediaType;
import dev.docproc.domain.render.RenderPolicy;
import dev.docproc.domain.render.RenderPolicy.PixelSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * Renders each page of a document to a PNG of the size {@link RenderPolicy} sets: PDF pages with
 * PDFBox straight onto a canvas of that size, images by downscaling. Pages come out RGB on white.
 */
public final class PageRenderer {

  private final RenderPolicy policy;

  public PageRenderer(RenderPolicy policy) {
    this.policy = policy;
  }

  public List<RenderedPage> render(MediaType type, byte[] content) throws RenderException {
    return type == MediaType.PDF ? renderPdf(content) : List.of(renderImage(type, content));
  }

  private List<RenderedPage> renderPdf(byte[] content) throws RenderException {
    try (PDDocument pdf = Loader.loadPDF(content)) {
      PDFRenderer renderer = new PDFRenderer(pdf);
      // embedded images may be decoded at the (lower) resolution they are drawn at
      renderer.setSubsamplingAllowed(true);
      List<RenderedPage> pages = new ArrayList<>();
      for (int i = 0; i < pdf.getNumberOfPages(); i++) {
        pages.add(renderPdfPage(renderer, pdf.getPage(i), i));
      }
      return pages;
    } catch (IOException e) {
      throw new RenderException("The PDF could not be opened: " + e.getMessage(), e);
    }
  }

  private RenderedPage renderPdfPage(PDFRenderer renderer, PDPage page, int index)
      throws RenderException {
    try {
      PDRectangle crop = page.getCropBox();
      boolean quarterTurned = page.getRotation() % 180 != 0;
      float width = quarterTurned ? crop.getHeight() : crop.getWidth(); // points, as displayed
      float height = quarterTurned ? crop.getWidth() : crop.getHeight();
      PixelSize size = policy.target(policy.sourceSizeOfPage(width, height));
      BufferedImage canvas = whiteCanvas(size);
      Graphics2D g = canvas.createGraphics();
      try {
        g.setBackground(Color.WHITE);
        renderer.renderPageToGraphics(index, g, size.width() / width, size.height() / height);
      } finally {
        g.dispose();
      }
      return new RenderedPage(index + 1, size.width(), size.height(), png(canvas));
    } catch (IOException | RuntimeException | StackOverflowError e) {
      // PDFBox reports broken content with all three; none is worth another try
      throw new RenderException("Page " + (index + 1) + " could not be rendered: " + e, e);
    }
  }

  private RenderedPage renderImage(MediaType type, byte[] content) throws RenderException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(content))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new RenderException("The " + type + " image could not be decoded.", null);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in);
        PixelSize size = policy.target(new PixelSize(reader.getWidth(0), reader.getHeight(0)));
        BufferedImage source = reader.read(0, subsampledToTwice(reader, size));
        return new RenderedPage(1, size.width(), size.height(), png(downscale(source, size)));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException | StackOverflowError e) {
      throw new RenderException("The " + type + " image could not be rendered: " + e, e);
    }
  }

  /**
   * Decodes only every n-th pixel of a large scan, keeping at least twice the target size for the
   * filtered downscale: a 60-megapixel scan then never lies in memory whole.
   */
  private static ImageReadParam subsampledToTwice(ImageReader reader, PixelSize target)
      throws IOException {
    int step =
        Math.max(
            1,
            Math.min(
                reader.getWidth(0) / (2 * target.width()),
                reader.getHeight(0) / (2 * target.height())));
    ImageReadParam param = reader.getDefaultReadParam();
    param.setSourceSubsampling(step, step, 0, 0);
    return param;
  }

  /**
   * Halves the image with bilinear filtering until the next step is the last, then draws it at the
   * exact size bicubically: one big bicubic step would skip source pixels and alias.
   */
  private static BufferedImage downscale(BufferedImage source, PixelSize size) {
    BufferedImage current = source;
    while (current.getWidth() / 2 >= size.width() && current.getHeight() / 2 >= size.height()) {
      current =
          draw(
              current,
              new PixelSize(current.getWidth() / 2, current.getHeight() / 2),
              RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }
    return draw(current, size, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
  }

  private static BufferedImage draw(BufferedImage image, PixelSize size, Object interpolation) {
    BufferedImage canvas = whiteCanvas(size);
    Graphics2D g = canvas.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
      g.drawImage(image, 0, 0, size.width(), size.height(), Color.WHITE, null);
    } finally {
      g.dispose();
    }
    return canvas;
  }

  private static BufferedImage whiteCanvas(PixelSize size) {
    BufferedImage canvas =
        new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, size.width(), size.height());
    g.dispose();
    return canvas;
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
