package dev.docproc.inference.engine.compute;

import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.util.Optional;

/**
 * The tensor operations the model code is written against, once, for every backend (the CPU and
 * CUDA). Buffers and weights are opaque handles the backend allocates; every op names its row count
 * {@code n} and takes shapes from the buffers. Results must match {@code
 * compute.cpu.ScalarKernels}, the plain reference, within the tolerances of the backend tests. Ops
 * are queued in call order; {@link #read} returns once everything before it is done.
 *
 * <p>Shapes below: {@code n} rows of activations; {@code [n, d]} means a buffer with at least n
 * rows of d columns.
 */
public interface Ops extends AutoCloseable {

  String name();

  // ---- memory

  /** A new activation buffer [rows, cols], contents undefined. */
  Buf alloc(int rows, int cols);

  /**
   * As {@link #alloc}, but holding float32 on every backend: the rotary cos/sin tables, which a
   * device backend otherwise would round to its activation type.
   */
  Buf allocF32(int rows, int cols);

  /** A new int vector of n values, contents undefined. */
  IntBuf allocInts(int n);

  /** The same memory seen as [rows, cols] (rows·cols must not exceed the buffer's size). */
  Buf view(Buf b, int rows, int cols);

  /** Host → buffer: {@code src.length} values into {@code dst} starting at row {@code row}. */
  void write(Buf dst, int row, float[] src);

  /** Buffer → host: rows [row, row + n) of {@code src}. */
  float[] read(Buf src, int row, int n);

  /** Host → int vector: {@code src.length} values from index 0. */
  void write(IntBuf dst, int[] src);

  /** A bf16, fp16 or fp32 matrix [rows, cols] (or vector [cols]) from checkpoint bytes. */
  Weight dense(Tensor t);

  /** A compressed-tensors int4 weight; the backend may repack it into its own layout. */
  Weight w4a16(PackedInt4 w);

  // ---- ops

  /** out[i] = table[ids[i]] for i < n. table [vocab, d], out [n, d]. */
  void embedding(Buf out, Weight table, IntBuf ids, int n);

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
   * Attention within segments [seg[s], seg[s+1]) of rows: out[i] = softmax(q[i]·kᵀ·scale)·v over
   * the keys of row i's segment (with {@code causal}, only those up to row i), scale headDim^-½.
   * Query head h reads kv head h / (heads / kvHeads). q, out [seg.last, heads·hd]; k, v [seg.last,
   * kvHeads·hd]. Vision windows and full blocks (not causal); a text prompt (causal).
   */
  void attention(
      Buf out,
      Buf q,
      Buf k,
      Buf v,
      int[] segments,
      int heads,
      int kvHeads,
      int headDim,
      boolean causal);

  /**
   * KV-cache store: rows i < n of k and v into rows {@code slots[i]} of kCache and vCache (the
   * caches of one layer, [slots, kvHeads·hd]).
   */
  void storeKv(Buf kCache, Buf vCache, Buf k, Buf v, int n, IntBuf slots);

  /**
   * Decode attention over a paged KV cache: row b < n of q is the newest position of sequence b,
   * which attends to its positions 0..lengths[b]−1; position p of sequence b is cache row {@code
   * blockTable[b·maxBlocks + p / blockSize]·blockSize + p % blockSize}. GQA as {@link #attention}.
   * q, out [n, heads·hd]; kCache, vCache [slots, kvHeads·hd].
   */
  void decodeAttention(
      Buf out,
      Buf q,
      int n,
      Buf kCache,
      Buf vCache,
      IntBuf blockTable,
      int maxBlocks,
      IntBuf lengths,
      int blockSize,
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

  /**
   * Token selection on the backend for up to {@code rows} sequences, or empty when the backend has
   * none and the caller chooses tokens on the host from {@link #read} logits.
   */
  Optional<TokenSelector> tokenSelector(int rows, int vocab);

  /**
   * A step to run many times with the same ops on the same buffers (see {@link RecordedStep}); a
   * device backend captures it and replays the capture. Backends without capture run {@code body}.
   */
  RecordedStep record(Runnable body);

  @Override
  void close();
}
