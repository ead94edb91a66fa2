package dev.docproc.gpu.reference;

import dev.docproc.gpu.Bf16;

/** Qwen2RMSNorm: {@code bf16(w · bf16(h · rsqrt(mean(h²) + eps)))}, statistics in fp32. */
public final class NormRef {
  private NormRef() {}

  public static float[] rmsNorm(float[] x, float[] w, int m, int h, float eps) {
    float[] out = new float[m * h];
    for (int r = 0; r < m; r++) {
      double ss = 0;
      for (int i = 0; i < h; i++) {
        ss += (double) x[r * h + i] * x[r * h + i];
      }
      float inv = (float) (1.0 / Math.sqrt((float) (ss / h) + eps));
      for (int i = 0; i < h; i++) {
        out[r * h + i] = Bf16.round(w[i] * Bf16.round(x[r * h + i] * inv));
      }
    }
    return out;
  }

  /** Residual add then norm: {@code x ← bf16(x + y)} (in place), returns the normalized x. */
  public static float[] addRmsNorm(float[] x, float[] y, float[] w, int m, int h, float eps) {
    for (int i = 0; i < m * h; i++) {
      x[i] = Bf16.round(x[i] + y[i]);
    }
    return rmsNorm(x, w, m, h, eps);
  }
}
