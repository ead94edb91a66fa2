package dev.docproc.gpu.reference;

import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.RotaryTable;

/**
 * Rotate-half RoPE in place on {@code nHeads} consecutive heads of each row of x [T][ld]: {@code
 * x'[j] = x[j]·cos θ − x[j+half]·sin θ}, {@code x'[j+half] = x[j+half]·cos θ + x[j]·sin θ}, {@code
 * θ = f32(pos[row_j][t]) · freq_j}. bf16Math: cos, sin and every product and sum rounded to bf16
 * (text); otherwise fp32 with one final rounding (vision).
 */
public final class RopeRef {
  private RopeRef() {}

  public static void apply(
      float[] x, int ld, int t, int nHeads, int[] pos, RotaryTable table, boolean bf16Math) {
    int half = table.half();
    for (int tok = 0; tok < t; tok++) {
      for (int h = 0; h < nHeads; h++) {
        for (int j = 0; j < half; j++) {
          float theta = (float) pos[table.row()[j] * t + tok] * table.freq()[j];
          float c = (float) Math.cos(theta);
          float s = (float) Math.sin(theta);
          int p = tok * ld + h * 2 * half + j;
          float a = x[p];
          float b = x[p + half];
          float lo;
          float hi;
          if (bf16Math) {
            c = Bf16.round(c);
            s = Bf16.round(s);
            lo = Bf16.round(a * c) + Bf16.round(-b * s);
            hi = Bf16.round(b * c) + Bf16.round(a * s);
          } else {
            lo = a * c + -b * s;
            hi = b * c + a * s;
          }
          x[p] = Bf16.round(lo);
          x[p + half] = Bf16.round(hi);
        }
      }
    }
  }
}
