package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NormRefTest {
  @Test
  void normalizesByRootMeanSquare() {
    // row (3, 4): mean square 12.5, 1/sqrt(12.5) = 0.2828..; ×3 = 0.8485 → bf16 0.84765625
    float[] out = NormRef.rmsNorm(new float[] {3, 4}, new float[] {1, 2}, 1, 2, 0f);
    assertEquals(0.84765625f, out[0]);
    assertEquals(2 * 1.1328125f, out[1]); // bf16(4 × 0.28284) = 1.1328125, then × 2 exactly
  }

  @Test
  void addUpdatesTheResidualInPlace() {
    float[] x = {1, 1, 1, 1};
    float[] y = {1, 1, 1, 1};
    float[] out = NormRef.addRmsNorm(x, y, new float[] {1, 1, 1, 1}, 1, 4, 0f);
    assertArrayEquals(new float[] {2, 2, 2, 2}, x);
    assertArrayEquals(new float[] {1, 1, 1, 1}, out);
  }
}
