package dev.docproc.gpu.reference;

import dev.docproc.gpu.Bf16;

/**
 * Rotate-half RoPE in place on {@code nHeads} consecutive heads of each row of x [T][ld]: {@code
 * x'[j] = x[j]·cos_j − x[j+half]·sin_j}, {@code x'[j+half] = x[j+half]·cos_j + x[j]·sin_j} with the
 * row's angles from cos, sin [T][half]; fp32 arithmetic, one rounding to bf16 at the end.
 */
public final class RopeRef {
  private RopeRef() {}

  public static void apply(
      float[] x, int ld, int t, int nHeads, int half, float[] cos, float[] sin) {
    for (int tok = 0; tok < t; tok++) {
      for (int h = 0; h < nHeads; h++) {
        for (int j = 0; j < half; j++) {
          float c = cos[tok * half + j];
          float s = sin[tok * half + j];
          int p = tok * ld + h * 2 * half + j;
          float a = x[p];
          float b = x[p + half];
          x[p] = Bf16.round(a * c + -b * s);
          x[p + half] = Bf16.round(b * c + a * s);
        }
      }
    }
  }
}
