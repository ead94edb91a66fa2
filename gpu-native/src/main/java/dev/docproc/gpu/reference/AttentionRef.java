package dev.docproc.gpu.reference;

import dev.docproc.gpu.Bf16;
import java.util.stream.IntStream;

/**
 * Scaled dot-product attention with grouped KV heads (query head h reads kv head h / (hq/hkv)):
 * {@code o[i] = Σ_j softmax_j(scale · q[i]·k[j]) v[j]}, exact softmax in double, output bf16.
 */
public final class AttentionRef {
  private AttentionRef() {}

  /**
   * Prefill over segments [cu[s], cu[s+1]) of T tokens; keys j ≤ i only when causal (positions
   * relative to the segment). q, o: [T][hq·d]; k, v: [T][hkv·d].
   */
  public static float[] prefill(
      float[] q,
      float[] k,
      float[] v,
      int[] cuSeqlens,
      int hq,
      int hkv,
      int d,
      float scale,
      boolean causal) {
    int t = cuSeqlens[cuSeqlens.length - 1];
    float[] o = new float[t * hq * d];
    int segments = cuSeqlens.length - 1;
    IntStream.range(0, segments * hq) // (segment, head) pairs in parallel
        .parallel()
        .forEach(
            sh -> {
              int start = cuSeqlens[sh / hq];
              int len = cuSeqlens[sh / hq + 1] - start;
              int h = sh % hq;
              int hk = h / (hq / hkv);
              for (int i = 0; i < len; i++) {
                int keys = causal ? i + 1 : len;
                double[] w = new double[keys];
                for (int j = 0; j < keys; j++) {
                  w[j] =
                      scale
                          * dot(
                              q,
                              (start + i) * hq * d + h * d,
                              k,
                              (start + j) * hkv * d + hk * d,
                              d);
                }
                softmaxInPlace(w);
                for (int e = 0; e < d; e++) {
                  double acc = 0;
                  for (int j = 0; j < keys; j++) {
                    acc += w[j] * v[(start + j) * hkv * d + hk * d + e];
                  }
                  o[(start + i) * hq * d + h * d + e] = Bf16.round((float) acc);
                }
              }
            });
    return o;
  }

  /**
   * Decode over a paged cache: sequence b's token p lives in slot {@code blockTable[b][p / bs] · bs
   * + p % bs} of kCache/vCache [slots][hkv·d]. q, o: [B][hq·d].
   */
  public static float[] decode(
      float[] q,
      float[] kCache,
      float[] vCache,
      int[] blockTable,
      int maxBlocks,
      int[] seqLens,
      int blockSize,
      int hq,
      int hkv,
      int d,
      float scale) {
    int batch = seqLens.length;
    float[] o = new float[batch * hq * d];
    for (int b = 0; b < batch; b++) {
      int len = seqLens[b];
      for (int h = 0; h < hq; h++) {
        int hk = h / (hq / hkv);
        double[] w = new double[len];
        for (int p = 0; p < len; p++) {
          int slot = blockTable[b * maxBlocks + p / blockSize] * blockSize + p % blockSize;
          w[p] = scale * dot(q, b * hq * d + h * d, kCache, slot * hkv * d + hk * d, d);
        }
        softmaxInPlace(w);
        for (int e = 0; e < d; e++) {
          double acc = 0;
          for (int p = 0; p < len; p++) {
            int slot = blockTable[b * maxBlocks + p / blockSize] * blockSize + p % blockSize;
            acc += w[p] * vCache[slot * hkv * d + hk * d + e];
          }
          o[b * hq * d + h * d + e] = Bf16.round((float) acc);
        }
      }
    }
    return o;
  }

  /** Copies new K/V rows [T][row] into their cache slots (negative slot: skipped). */
  public static void kvAppend(
      float[] k, float[] v, int[] slots, float[] kCache, float[] vCache, int row) {
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] >= 0) {
        System.arraycopy(k, i * row, kCache, slots[i] * row, row);
        System.arraycopy(v, i * row, vCache, slots[i] * row, row);
      }
    }
  }

  private static double dot(float[] a, int ia, float[] b, int ib, int n) {
    double acc = 0;
    for (int i = 0; i < n; i++) {
      acc += (double) a[ia + i] * b[ib + i];
    }
    return acc;
  }

  private static void softmaxInPlace(double[] w) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : w) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (int j = 0; j < w.length; j++) {
      w[j] = Math.exp(w[j] - max);
      sum += w[j];
    }
    for (int j = 0; j < w.length; j++) {
      w[j] /= sum;
    }
  }
}
