package dev.docproc.inference.engine.compute;

import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;

/**
 * The tensor operations the model code is written against, once, for every backend (the CPU here,
 * CUDA later). Buffers and weights are opaque handles the backend allocates; every op names its row
 * count {@code n} and takes shapes from the buffers. Results must match {@code
 * compute.cpu.ScalarKernels}, the plain reference, within the tolerances of the backend tests.
 *
 * <p>Shapes below: {@code n} rows of activations; {@code [n, d]} means a buffer with at least n
 * rows of d columns.
 */
public interface Ops extends AutoCloseable {

  String name();

  // ---- memory

  /** A new activation buffer [rows, cols], contents undefined. */
  Buf alloc(int rows, int cols);

  /** The same memory seen as [rows, cols] (rows·cols must not exceed the buffer's size). */
  Buf view(Buf b, int rows, int cols);

  /** Host → buffer: {@code src.length} values into {@code dst} starting at row {@code row}. */
  void write(Buf dst, int row, float[] src);

  /** Buffer → host: rows [row, row + n) of {@code src}. */
  float[] read(Buf src, int row, int n);

  /** A bf16, fp16 or fp32 matrix [rows, cols] (or vector [cols]) from checkpoint bytes. */
  Weight dense(Tensor t);

  /** A compressed-tensors int4 weight; the backend may repack it into its own layout. */
  Weight w4a16(PackedInt4 w);

  // ---- ops

  /** out[i] = table[ids[i]] for i < ids.length. table [vocab, d], out [n, d]. */
  void embedding(Buf out, Weight table, int[] ids);

  /** out[n, w.rows] = x[n, w.cols] · wᵀ (+ bias), for a {@link Weight.Format#W4A16} weight. */
  void matmulW4A16(Buf out, Buf x, int n, Weight w, Weight bias);

  /** out[n, w.rows] = x[n, w.cols] · wᵀ (+ bias), for a {@link Weight.Format#DENSE} weight. */
  void matmulDense(Buf out, Buf x, int n, Weight w, Weight bias);

  /** A linear layer of either format; bias may be null. */
  default void linear(Buf out, Buf x, int n, Weight w, Weight bias) {
    switch (w.format()) {
      case W4A16 -> matmulW4A16(out, x, n, w, bias);
      case DENSE -> matmulDense(out, x, n, w, bias);
    }
  }

  /** out[i] = w · x[i] / sqrt(mean(x[i]²) + eps) over rows of width w.cols. */
  void rmsNorm(Buf out, Buf x, int n, Weight w, float eps);

  /**
   * Rotary embedding in the rotate-half convention, in place: for every row i and head h with
   * halves (a, b) of width headDim/2: a' = a·cos − b·sin, b' = b·cos + a·sin. cos, sin [n,
   * headDim/2]; x [n, heads·headDim].
   */
  void rope(Buf x, int n, int heads, int headDim, Buf cos, Buf sin);

  /**
   * Bidirectional attention within segments [seg[s], seg[s+1]) of rows: out[i] =
   * softmax(q[i]·kᵀ·scale)·v over the keys of row i's segment. q, k, v, out [seg.last, heads·hd].
   */
  void attention(Buf out, Buf q, Buf k, Buf v, int[] segments, int heads, int headDim);

  /**
   * Causal attention of n new queries at positions start..start+n-1 over a KV cache holding
   * positions 0..start+n-1: query i sees keys 0..start+i. q, out [n, heads·hd]; kCache, vCache
   * [capacity, kvHeads·hd]; query head h reads kv head h / (heads / kvHeads).
   */
  void causalAttention(
      Buf out,
      Buf q,
      int n,
      Buf kCache,
      Buf vCache,
      int start,
      int heads,
      int kvHeads,
      int headDim);

  /** gate[i] = silu(gate[i]) · up[i], elementwise over n rows. */
  void siluMul(Buf gate, Buf up, int n);

  /** x = gelu(x) with the exact erf form, elementwise over n rows. */
  void gelu(Buf x, int n);

  /** x += y elementwise over n rows. */
  void add(Buf x, Buf y, int n);

  /** dst rows [dstRow, dstRow + n) = src rows [srcRow, srcRow + n). */
  void copyRows(Buf dst, int dstRow, Buf src, int srcRow, int n);

  /** dst[i] = src[index[i]] for i < index.length (row gather). */
  void gatherRows(Buf dst, Buf src, int[] index);

  /** Index of the largest value in row {@code row} (the first one on ties). */
  int argmax(Buf x, int row);

  @Override
  void close();
}
