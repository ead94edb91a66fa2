package dev.docproc.gpu.check;

import dev.docproc.gpu.W4Layout;

/**
 * The kernels as functions of dense host arrays (bf16-exact values in floats), so that the same
 * checks run against the GPU ({@link CudaRunner}) or, in unit tests, against anything else. Shapes
 * follow the references in dev.docproc.gpu.reference.
 */
public interface KernelRunner {
  /** y [m][n] = x [m][k] · Wᵀ + bias (bias may be null). */
  float[] w4a16(float[] x, int m, W4Layout w, float[] bias);

  /** y [m][n] = x [m][k] · w[n][k]ᵀ + bias (bias may be null). */
  float[] bf16Linear(float[] x, int m, float[] w, int n, int k, float[] bias);

  float[] rmsNorm(float[] x, float[] w, int m, int h, float eps);

  /** Returns {updated residual x, normalized output}. */
  float[][] addRmsNorm(float[] x, float[] y, float[] w, int m, int h, float eps);

  float[] siluMul(float[] gate, float[] up, int m, int n);

  float[] gelu(float[] x, int m, int n);

  /** x [t][nHeads · 2 · half] rotated by the angles cos, sin [t][half]. */
  float[] rope(float[] x, int t, int nHeads, int half, float[] cos, float[] sin);

  /** Returns x + y (bf16) over [m][n]. */
  float[] add(float[] x, float[] y, int m, int n);

  float[] attentionPrefill(
      float[] q,
      float[] k,
      float[] v,
      int[] cuSeqlens,
      int hq,
      int hkv,
      int d,
      float scale,
      boolean causal);

  /**
   * Appends K/V rows [tokens][hkv·d] into an empty cache of cacheSlots slots at slots[i], then
   * decodes one query row per sequence (q [batch][hq·d]) over seqLens[b] cached tokens.
   */
  float[] attentionDecode(
      float[] q,
      float[] k,
      float[] v,
      int[] slots,
      int cacheSlots,
      int[] blockTable,
      int maxBlocks,
      int[] seqLens,
      int blockSize,
      int hq,
      int hkv,
      int d,
      float scale,
      int maxSeqLen);

  float[] gatherRows(float[] src, int srcRows, int width, int[] idx);

  /** Returns dst after {@code dst[idx[i]] = src[i]}. */
  float[] scatterRows(float[] src, int width, int[] idx, float[] dst, int dstRows);

  float[] gatherCols(float[] src, int rows, int width, int[] perm);

  /** Marks seenIds [batch][idsPerRow], then fp32 logits with the repetition penalty. */
  float[] prepareLogits(
      float[] logits, int batch, int vocab, int[] seenIds, int idsPerRow, float penalty);

  int[] argmax(float[] x, int batch, int vocab);

  /** One draw per row; {@code state} is advanced in place. */
  int[] sample(
      float[] x, int batch, int vocab, float temperature, int topK, float topP, long[] state);
}
