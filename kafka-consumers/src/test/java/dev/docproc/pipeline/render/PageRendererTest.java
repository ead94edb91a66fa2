package dev.docproc.pipeline.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.document.RenderedPage;
import dev.docproc.domain.intake.MediaType;
import dev.docproc.domain.render.RenderPolicy;
import dev.docproc.domain.render.RenderPolicy.PixelSize;
import dev.docproc.domain.testing.SampleFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;

class PageRendererTest {

  private final RenderPolicy policy = new RenderPolicy(1_003_520, 200);
  private final PageRenderer renderer = new PageRenderer(policy);

  private static BufferedImage decode(RenderedPage page) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(page.png()));
    assertEquals(page.width(), image.getWidth());
    assertEquals(page.height(), image.getHeight());
    return image;
  }

  /** Share of pixels darker than mid-grey: text and lines. */
  private static double inkShare(BufferedImage image) {
    long dark = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int luma = (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
        dark += luma < 128 ? 1 : 0;
      }
    }
    return (double) dark / ((long) image.getWidth() * image.getHeight());
  }

  @Test
  void everySampleInvoiceRendersWithinTheBudgetWithInkOnIt() throws Exception {
    for (String invoice : SampleFiles.invoices()) {
      List<RenderedPage> pages = renderer.render(MediaType.PDF, SampleFiles.invoice(invoice));
      assertEquals(SampleFiles.expectedPages(invoice), pages.size(), invoice);
      for (RenderedPage page : pages) {
        BufferedImage image = decode(page);
        assertTrue((long) image.getWidth() * image.getHeight() <= policy.pixelBudget(), invoice);
        assertEquals(0, image.getWidth() % RenderPolicy.PATCH_GRID, invoice);
        double ink = inkShare(image);
        assertTrue(ink > 0.002 && ink < 0.5, invoice + " ink share " + ink);
      }
    }
  }

  @Test
  void anA4PageComesOutAtTheSizeThePolicySets() throws Exception {
    RenderedPage page =
        renderer.render(MediaType.PDF, SampleFiles.invoice("AzureInterior.pdf")).getFirst();
    assertEquals(policy.target(policy.sourceSizeOfPage(595, 842)).width(), page.width());
    assertEquals(policy.target(policy.sourceSizeOfPage(595, 842)).height(), page.height());
  }

  @Test
  void pagesAreNumberedInOrder() throws Exception {
    List<RenderedPage> pages = renderer.render(MediaType.PDF, SampleFiles.pdf(3, PDRectangle.A5));
    assertEquals(List.of(1, 2, 3), pages.stream().map(RenderedPage::number).toList());
  }

  @Test
  void aSmallImageKeepsItsResolution() throws Exception {
    RenderedPage page =
        renderer.render(MediaType.PNG, SampleFiles.image("png", 300, 200)).getFirst();
    assertEquals(1, page.number());
    assertEquals(280, page.width());
    assertEquals(196, page.height());
  }

  @Test
  void aLargeScanShrinksIntoTheBudget() throws Exception {
    RenderedPage page =
        renderer.render(MediaType.JPEG, SampleFiles.image("jpeg", 2480, 3508)).getFirst();
    BufferedImage image = decode(page);
    assertTrue((long) image.getWidth() * image.getHeight() <= policy.pixelBudget());
    assertTrue(image.getWidth() >= 700, "not shrunk more than needed: " + image.getWidth());
  }

  @Test
  void aVeryLargeScanIsDecodedSubsampledAndStillComesOutAtTheTargetSize() throws Exception {
    // 7000 × 5000 (35 megapixels): decoded at every 2nd pixel, then filtered down
    RenderedPage page =
        renderer.render(MediaType.PNG, SampleFiles.image("png", 7000, 5000)).getFirst();
    BufferedImage image = decode(page);
    assertEquals(
        policy.target(new PixelSize(7000, 5000)), new PixelSize(page.width(), page.height()));
    // the drawing's diagonal line survives the shrinking: darker than the blank corner
    int middle = image.getRGB(image.getWidth() / 2, image.getHeight() / 2) & 0xff;
    int corner = image.getRGB(image.getWidth() - 1, 0) & 0xff;
    assertTrue(middle < corner, "diagonal " + middle + " vs corner " + corner);
  }

  @Test
  void anUndecodableImageIsARenderFailureNotACrash() {
    byte[] png = SampleFiles.image("png", 300, 200);
    RenderException e =
        assertThrows(
            RenderException.class,
            () -> renderer.render(MediaType.PNG, Arrays.copyOf(png, png.length / 3)));
    assertTrue(e.getMessage().startsWith("The PNG image could not be"), e.getMessage());
  }

  @Test
  void garbageCalledPdfIsARenderFailureNotACrash() {
    assertThrows(
        RenderException.class, () -> renderer.render(MediaType.PDF, SampleFiles.textFile()));
  }
}
