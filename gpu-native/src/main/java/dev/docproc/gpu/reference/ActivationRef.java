package dev.docproc.gpu.reference;

import dev.docproc.gpu.Bf16;

/** Activations in fp32 on bf16 inputs, one bf16 rounding per torch op. */
public final class ActivationRef {
  private ActivationRef() {}

  /** {@code bf16(bf16(silu(gate)) · up)}, silu(g) = g / (1 + e^−g). */
  public static float[] siluMul(float[] gate, float[] up) {
    float[] out = new float[gate.length];
    for (int i = 0; i < out.length; i++) {
      float g = gate[i];
      float silu = Bf16.round(g / (1f + (float) Math.exp(-g)));
      out[i] = Bf16.round(silu * up[i]);
    }
    return out;
  }

  /** {@code bf16(x + y)} elementwise. */
  public static float[] add(float[] x, float[] y) {
    float[] out = new float[x.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Bf16.round(x[i] + y[i]);
    }
    return out;
  }

  /** Exact GELU {@code bf16(x · 0.5 · (1 + erf(x / √2)))}. */
  public static float[] gelu(float[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < out.length; i++) {
      double v = x[i];
      out[i] = Bf16.round((float) (v * 0.5 * (1 + erf(v / Math.sqrt(2)))));
    }
    return out;
  }

  /** erf to about 1e-15 relative (Abramowitz–Stegun 7.1.26 is too coarse for a reference). */
  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) { // Maclaurin series: converges fast here
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else { // continued fraction for erfc
      double f = 0;
      for (int n = 60; n >= 1; n--) {
        f = n / 2.0 / (ax + f);
      }
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
    }
    return x < 0 ? -r : r;
  }
}
