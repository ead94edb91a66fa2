package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.LittleEndian;
import dev.docproc.inference.engine.model.PackedInt4;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Linear layers with the Vector API. Few rows (decode): one pass over each weight row, decoding
 * int4 or bf16 in registers — memory-bound, so the bytes read are the cost. Many rows (prefill,
 * vision): {@link SimdGemm}.
 */
final class SimdLinear {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int L = F.length();
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Rows below this go through the per-row matvec; above, the weight decode is amortised. */
  static final int GEMM_MIN_ROWS = 4;

  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[0]);

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
            matvecInt4(out, xp, i, q.w(), bias, f0, f1);
        case CpuWeight.Dense d when isBf16Matrix(d) -> matvecBf16(out, x, xp, i, d, bias, f0, f1);
        default -> matvecDecoded(out, x, i, w, bias, f0, f1);
      }
    }
  }

  private static boolean isBf16Matrix(CpuWeight.Dense d) {
    return d.dtype() == DType.BF16 && d.values() == null;
  }

  /**
   * x rearranged once per matmul for the matvec kernels, shared by all threads: for int4 each row's
   * columns in nibble order followed by its per-group sums, for bf16 each row's even then odd
   * columns per 2L block; null when the kernels read x as it is.
   */
  static float[] prepare(float[] x, int n, CpuWeight w) {
    if (n >= GEMM_MIN_ROWS) {
      return null;
    }
    int in = w.cols();
    return switch (w) {
      case CpuWeight.Int4 q when int4FastPath(q.w()) -> {
        int groups = q.w().groups();
        int gs = q.w().groupSize();
        int stride = in + groups;
        float[] xp = new float[n * stride];
        for (int i = 0; i < n; i++) {
          int xo = i * in;
          int po = i * stride;
          for (int b = 0; b < in; b += 8 * L) {
            for (int j = 0; j < L; j++) {
              for (int k = 0; k < 8; k++) {
                xp[po + b + k * L + j] = x[xo + b + 8 * j + k];
              }
            }
          }
          for (int g = 0; g < groups; g++) {
            float sum = 0;
            for (int c = g * gs; c < (g + 1) * gs; c++) {
              sum += x[xo + c];
            }
            xp[po + in + g] = sum;
          }
        }
        yield xp;
      }
      case CpuWeight.Dense d when isBf16Matrix(d) -> {
        int bound = in / (2 * L) * (2 * L);
        float[] xp = new float[n * in];
        for (int i = 0; i < n; i++) {
          for (int b = 0; b < bound; b += 2 * L) {
            for (int j = 0; j < L; j++) {
              xp[i * in + b + j] = x[i * in + b + 2 * j];
              xp[i * in + b + L + j] = x[i * in + b + 2 * j + 1];
            }
          }
        }
        yield xp;
      }
      default -> null;
    };
  }

  /** Contiguous groups made of whole 8L-column blocks: one scale per run of blocks. */
  static boolean int4FastPath(PackedInt4 w) {
    return w.gIdx() == null && w.groupSize() % (8 * L) == 0 && w.cols() % w.groupSize() == 0;
  }

  // ---- decode: one row of x

  /**
   * Row i of out from int4 weights, read as L int32 words at a time: nibble k of word j is column
   * 8j + k, so shifting the words by 4k and masking gives L columns 8 apart, converted with one int
   * → float. x is first permuted to that order (xp[b + kL + j] = x[b + 8j + k]). The −8 offset of
   * the stored nibbles is taken out once per group: Σ(u − 8)·x = Σu·x − 8·Σx.
   */
  private static void matvecInt4(
      float[] out, float[] xp, int i, PackedInt4 w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int block = 8 * L;
    int groups = w.groups();
    int gs = w.groupSize();
    int xo = i * (in + groups); // row i of xp: [in] permuted x, then [groups] sums
    int sums = xo + in;
    float[] scales = ScalarKernels.scratch(SCALES, groups);
    MemorySegment packed = w.packed();
    int blocksPerGroup = gs / block;
    for (int f = f0; f < f1; f++) {
      long off = f * w.rowBytes();
      w.scalesOfRow(f, scales);
      FloatVector acc = FloatVector.zero(F);
      float offset = 0;
      int k = xo;
      for (int g = 0; g < groups; g++) {
        // two independent sums so the FMAs do not wait on each other's latency
        FloatVector g0 = FloatVector.zero(F);
        FloatVector g1 = FloatVector.zero(F);
        for (int blk = 0; blk < blocksPerGroup; blk++, off += 4L * L, k += block) {
          IntVector words = IntVector.fromMemorySegment(I, packed, off, LE);
          for (int nib = 0; nib < 8; nib += 2) {
            FloatVector u0 =
                (FloatVector)
                    words
                        .lanewise(VectorOperators.LSHR, 4 * nib)
                        .and(0xf)
                        .convert(VectorOperators.I2F, 0);
            FloatVector u1 =
                (FloatVector)
                    words
                        .lanewise(VectorOperators.LSHR, 4 * nib + 4)
                        .and(0xf)
                        .convert(VectorOperators.I2F, 0);
            g0 = u0.fma(FloatVector.fromArray(F, xp, k + nib * L), g0);
            g1 = u1.fma(FloatVector.fromArray(F, xp, k + nib * L + L), g1);
          }
        }
        FloatVector gacc = g0.add(g1);
        acc = gacc.fma(FloatVector.broadcast(F, scales[g]), acc);
        offset += scales[g] * xp[sums + g];
      }
      float sum = acc.reduceLanes(VectorOperators.ADD) - 8 * offset;
      out[i * w.rows() + f] = bias == null ? sum : sum + bias[f];
    }
  }

  /**
   * Row i of out from bf16 weights, read as int32 words holding two columns each: the low half
   * shifted up is the even column, the high half masked is the odd one — no conversions. x is
   * permuted per 2L columns to its even then odd columns to match.
   */
  private static void matvecBf16(
      float[] out, float[] x, float[] xp, int i, CpuWeight.Dense w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int block = 2 * L;
    int bound = in / block * block;
    MemorySegment data = w.data();
    for (int f = f0; f < f1; f++) {
      long off = (long) f * in * 2;
      FloatVector even = FloatVector.zero(F);
      FloatVector odd = FloatVector.zero(F);
      for (int k = 0; k < bound; k += block) {
        IntVector words = IntVector.fromMemorySegment(I, data, off + 2L * k, LE);
        even =
            words
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats()
                .fma(FloatVector.fromArray(F, xp, i * in + k), even);
        odd =
            words
                .and(0xffff0000)
                .reinterpretAsFloats()
                .fma(FloatVector.fromArray(F, xp, i * in + k + L), odd);
      }
      float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
      for (int k = bound; k < in; k++) {
        sum +=
            x[i * in + k] * Float.intBitsToFloat(data.get(LittleEndian.SHORT, off + 2L * k) << 16);
      }
      out[i * w.rows() + f] = bias == null ? sum : sum + bias[f];
    }
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
