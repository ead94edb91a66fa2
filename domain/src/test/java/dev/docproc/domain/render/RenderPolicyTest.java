package dev.docproc.domain.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.render.RenderPolicy.PixelSize;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RenderPolicyTest {

  private final RenderPolicy policy = new RenderPolicy(1_003_520, 200);

  @Test
  void anA4PageShrinksToTheBudgetOnThePatchGrid() {
    PixelSize source = policy.sourceSizeOfPage(595, 842); // A4 at 200 dpi: 1653 × 2339
    assertEquals(new PixelSize(1653, 2339), source);
    PixelSize target = policy.target(source);
    // sqrt(1003520 / (1653 · 2339)) = 0.5092 → 841.7 × 1191.0 → floored to multiples of 28
    assertEquals(new PixelSize(840, 1176), target);
    assertTrue(target.pixels() <= policy.pixelBudget());
  }

  @Test
  void aSmallImageIsNeverEnlarged() {
    assertEquals(new PixelSize(308, 196), policy.target(new PixelSize(320, 200)));
    assertEquals(new PixelSize(20, 10), policy.target(new PixelSize(20, 10)));
  }

  @Test
  void aSmallPdfPageStopsAtTheMaximumResolution() {
    // a 2 × 1 inch label: 400 × 200 pixels at 200 dpi, far under budget, so not enlarged further
    assertEquals(new PixelSize(392, 196), policy.target(policy.sourceSizeOfPage(144, 72)));
  }

  @Test
  void neverOverBudgetNorOverTheSourceOnRandomSizes() {
    Random random = new Random(20261127);
    for (int i = 0; i < 100_000; i++) {
      long budget = 784 + random.nextInt(20_000_000);
      RenderPolicy p = new RenderPolicy(budget, 200);
      PixelSize source = new PixelSize(1 + random.nextInt(30_000), 1 + random.nextInt(30_000));
      PixelSize target = p.target(source);
      String where = source + " at budget " + budget + " → " + target;
      assertTrue(target.pixels() <= budget, where);
      assertTrue(target.width() <= source.width() && target.height() <= source.height(), where);
      assertTrue(target.width() >= 1 && target.height() >= 1, where);
    }
  }

  @Test
  void anAbsurdAspectRatioStillFitsTheBudget() {
    PixelSize target = policy.target(new PixelSize(1, 5_000_000));
    assertTrue(target.pixels() <= policy.pixelBudget(), target.toString());
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RenderPolicy(100, 200));
    assertThrows(IllegalArgumentException.class, () -> new RenderPolicy(1_003_520, 0));
  }
}
