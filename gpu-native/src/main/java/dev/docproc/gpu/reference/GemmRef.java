package dev.docproc.gpu.reference;

import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.W4Layout;

/** Linear layers: {@code y[M][N] = bf16(x[M][K] · w[N][K]ᵀ + bias[N])}. */
public final class GemmRef {
  private GemmRef() {}

  /**
   * @param bias [N] or null
   */
  public static float[] linear(float[] x, float[] w, float[] bias, int m, int n, int k) {
    float[] y = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int c = 0; c < k; c++) {
          acc += (double) x[i * k + c] * w[j * k + c];
        }
        y[i * n + j] = Bf16.round((float) (acc + (bias == null ? 0 : bias[j])));
      }
    }
    return y;
  }

  /**
   * Dense weights of a pack-quantized checkpoint (MODEL.md §2.5): {@code W[r][c] = bf16(q · s)}
   * with {@code q = nibble(c) − 8} and s the scale of column c's group (g_idx[c], or c / group).
   */
  public static float[] dequantize(W4Layout.Checkpoint w) {
    int groups = w.scales().length / w.n();
    int groupSize = w.k() / groups;
    float[] dense = new float[w.n() * w.k()];
    for (int r = 0; r < w.n(); r++) {
      for (int c = 0; c < w.k(); c++) {
        int u = (w.packed()[r * (w.k() / 8) + c / 8] >>> (4 * (c % 8))) & 0xf;
        int g = w.gIdx() == null ? c / groupSize : w.gIdx()[c];
        float scale = Bf16.toFloat(w.scales()[r * groups + g]);
        dense[r * w.k() + c] = Bf16.round((u - 8) * scale);
      }
    }
    return dense;
  }
}
