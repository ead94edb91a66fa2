package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.gpu.Bf16;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RopeRefTest {
  @Test
  void angleZeroIsTheIdentityAndRotationKeepsTheNorm() {
    Random r = new Random(System.nanoTime());
    int t = 3;
    int half = 8;
    float[] x = new float[t * 4 * half];
    for (int i = 0; i < x.length; i++) {
      x[i] = Bf16.round((float) r.nextGaussian());
    }
    float[] cos = new float[t * half];
    float[] sin = new float[t * half];
    for (int i = 0; i < cos.length; i++) {
      double angle = i < half ? 0 : r.nextDouble() * 100; // token 0: all angles 0
      cos[i] = (float) Math.cos(angle);
      sin[i] = (float) Math.sin(angle);
    }
    float[] y = x.clone();
    RopeRef.apply(y, 4 * half, t, 2, half, cos, sin);
    for (int i = 0; i < 4 * half; i++) {
      assertEquals(x[i], y[i], "token 0 has angles 0");
    }
    for (int tok = 1; tok < t; tok++) {
      for (int h = 0; h < 2; h++) {
        for (int j = 0; j < half; j++) {
          int p = tok * 4 * half + h * 2 * half + j;
          double before = Math.hypot(x[p], x[p + half]);
          double after = Math.hypot(y[p], y[p + half]);
          assertEquals(before, after, 1e-2 * before + 1e-6, "a rotation keeps each pair's length");
        }
      }
    }
  }

  @Test
  void rotatesHalfPairsByTheAngle() {
    // one head of 4: pairs (x0, x2) and (x1, x3); angles 1 rad and 0
    float[] x = {1, 1, 0, 1};
    float c = (float) Math.cos(1);
    float s = (float) Math.sin(1);
    RopeRef.apply(x, 4, 1, 1, 2, new float[] {c, 1}, new float[] {s, 0});
    assertArrayEquals(new float[] {Bf16.round(c), 1, Bf16.round(s), 1}, x);
  }
}
