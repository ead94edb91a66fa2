package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.RotaryTable;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RopeRefTest {
  @Test
  void tablesFollowTheModelVariants() {
    float[] text = RotaryTable.inverseFrequencies(1e6, 128);
    RotaryTable m = RotaryTable.multimodal(new int[] {16, 24, 24}, text);
    assertEquals(64, m.half());
    assertEquals(0, m.row()[15]);
    assertEquals(1, m.row()[16]);
    assertEquals(1, m.row()[39]);
    assertEquals(2, m.row()[40]);
    assertEquals(text[50], m.freq()[50]); // M-RoPE keeps the global frequency index
    float[] vision = RotaryTable.inverseFrequencies(10000, 40);
    RotaryTable v = RotaryTable.perAxis(new int[] {20, 20}, vision);
    assertEquals(40, v.half());
    assertEquals(1, v.row()[20]);
    assertEquals(vision[0], v.freq()[20]); // the w axis restarts at frequency 0
    assertEquals(1f / (float) Math.pow(10000, 2f / 40), vision[1]);
  }

  @Test
  void positionZeroIsTheIdentityAndRotationKeepsTheNorm() {
    Random r = new Random(System.nanoTime());
    RotaryTable table =
        RotaryTable.perAxis(new int[] {4, 4}, RotaryTable.inverseFrequencies(100, 8));
    int t = 3;
    float[] x = new float[t * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = Bf16.round((float) r.nextGaussian());
    }
    float[] y = x.clone();
    int[] pos = {0, 5, 9, 0, 2, 7}; // [2 rows][3 tokens]
    RopeRef.apply(y, 16, t, 1, pos, table, false);
    for (int i = 0; i < 16; i++) {
      assertEquals(x[i], y[i], "token 0 has positions (0, 0)");
    }
    for (int tok = 1; tok < t; tok++) {
      for (int j = 0; j < 8; j++) {
        double before = Math.hypot(x[tok * 16 + j], x[tok * 16 + j + 8]);
        double after = Math.hypot(y[tok * 16 + j], y[tok * 16 + j + 8]);
        assertEquals(before, after, 1e-2 * before + 1e-6, "a rotation keeps each pair's length");
      }
    }
  }

  @Test
  void rotatesHalfPairsByTheAngle() {
    // one head of 4: pairs (x0, x2) and (x1, x3); freq 1 for both, position 1: θ = 1 rad
    RotaryTable table = new RotaryTable(new int[] {0, 0}, new float[] {1f, 0f}, 1);
    float[] x = {1, 1, 0, 1};
    RopeRef.apply(x, 4, 1, 1, new int[] {1}, table, false);
    float c = (float) Math.cos(1);
    float s = (float) Math.sin(1);
    assertArrayEquals(new float[] {Bf16.round(c), Bf16.round(1), Bf16.round(s), Bf16.round(1)}, x);
  }
}
