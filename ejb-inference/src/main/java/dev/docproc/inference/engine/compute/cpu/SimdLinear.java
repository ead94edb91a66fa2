package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.PackedInt4;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Linear layers with the Vector API: few rows of x (decode) go through {@link SimdMatvec}, which
 * decodes int4 or bf16 weights in registers as it streams them (memory-bound); many rows (prefill,
 * vision) through {@link SimdGemm}, which decodes a block of the weight once and reuses it for
 * every row; other formats (fp16, fp32, int4 grouped by g_idx) through a decoded row and a dot.
 */
final class SimdLinear {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int L = F.length();

  /** Rows below this go through the per-row matvec; above, the weight decode is amortised. */
  static final int GEMM_MIN_ROWS = 4;

  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

  private SimdLinear() {}

  static void linear(
      float[] out, float[] x, float[] xp, int n, CpuWeight w, float[] bias, int f0, int f1) {
    if (n >= GEMM_MIN_ROWS) {
      SimdGemm.gemm(out, x, n, w, bias, f0, f1);
      return;
    }
    for (int i = 0; i < n; i++) {
      switch (w) {
        case CpuWeight.Int4 q when int4FastPath(q.w()) ->
            SimdMatvec.int4(out, xp, i, q.w(), bias, f0, f1);
        case CpuWeight.Dense d when isBf16Matrix(d) ->
            SimdMatvec.bf16(out, x, xp, i, d, bias, f0, f1);
        default -> matvecDecoded(out, x, i, w, bias, f0, f1);
      }
    }
  }

  static boolean isBf16Matrix(CpuWeight.Dense d) {
    return d.dtype() == DType.BF16 && d.values() == null;
  }

  /** x rearranged once per matmul for the matvec kernels ({@link SimdMatvec#prepare}), or null. */
  static float[] prepare(float[] x, int n, CpuWeight w) {
    return n >= GEMM_MIN_ROWS ? null : SimdMatvec.prepare(x, n, w);
  }

  /** Contiguous groups made of whole 8L-column blocks: one scale per block. */
  static boolean int4FastPath(PackedInt4 w) {
    return w.gIdx() == null && w.groupSize() % (8 * L) == 0 && w.cols() % w.groupSize() == 0;
  }

  /** Any other weight (fp16, fp32, grouped by g_idx): decode the row, then a SIMD dot. */
  private static void matvecDecoded(
      float[] out, float[] x, int i, CpuWeight w, float[] bias, int f0, int f1) {
    int in = w.cols();
    float[] row = ScalarKernels.scratch(ROW, in);
    for (int f = f0; f < f1; f++) {
      WeightRows.decode(w, f, 0, in, row);
      float sum = dot(x, i * in, row, 0, in);
      out[i * w.rows() + f] = bias == null ? sum : sum + bias[f];
    }
  }

  static float dot(float[] a, int ao, float[] b, int bo, int len) {
    FloatVector acc = FloatVector.zero(F);
    int k = 0;
    for (int bound = F.loopBound(len); k < bound; k += L) {
      acc = FloatVector.fromArray(F, a, ao + k).fma(FloatVector.fromArray(F, b, bo + k), acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; k < len; k++) {
      sum += a[ao + k] * b[bo + k];
    }
    return sum;
  }
}
