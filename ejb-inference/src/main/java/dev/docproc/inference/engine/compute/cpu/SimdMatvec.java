package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.model.LittleEndian;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One row of x against int4 or bf16 weights read in place (decode): memory-bound, so the design
 * goal is to keep the memory system busy. Each call walks four weight rows in lockstep, a quarter
 * of the thread's row range apart: four independent address streams keep the hardware prefetchers
 * and the core's outstanding misses four times as deep as one row at a time (measured on the 2-core
 * VM: 9.6 → 17.7 int4 weights per ns per thread when streaming from DRAM), and the x loads are
 * shared by the four rows. Rows left over by the quarters go through the same kernel with one row
 * repeated.
 */
final class SimdMatvec {
  private static final VectorSpecies<Float> F = SimdLinear.F;
  private static final int L = SimdLinear.L;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[0]);

  private SimdMatvec() {}

  /**
   * x rearranged once per matmul, shared by all threads. int4: per row of x, [in] columns in the
   * order of the nibble planes of an 8L-column block (xp[b + kL + j] = x[b + 8j + k]) scaled by
   * 16^−k for k < 7 (exact: a power of two), then [in / 8L] block offsets −8·Σx / L (see {@link
   * #int4Rows}). bf16: per row, the even then the odd columns of each 2L block.
   */
  static float[] prepare(float[] x, int n, CpuWeight w) {
    int in = w.cols();
    return switch (w) {
      case CpuWeight.Int4 q when SimdLinear.int4FastPath(q.w()) -> {
        int block = 8 * L;
        int stride = in + in / block;
        float[] xp = new float[n * stride];
        for (int i = 0; i < n; i++) {
          int xo = i * in;
          int po = i * stride;
          for (int b = 0; b < in; b += block) {
            float sum = 0;
            for (int j = 0; j < L; j++) {
              for (int k = 0; k < 8; k++) {
                float v = x[xo + b + 8 * j + k];
                xp[po + b + k * L + j] = k < 7 ? Math.scalb(v, -4 * k) : v;
              }
            }
            for (int c = b; c < b + block; c++) {
              sum += x[xo + c];
            }
            xp[po + in + b / block] = -8 * sum / L;
          }
        }
        yield xp;
      }
      case CpuWeight.Dense d when SimdLinear.isBf16Matrix(d) -> {
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

  /** The four rows a kernel walks together. */
  private interface FourRows {
    void run(int r0, int r1, int r2, int r3);
  }

  /** Rows [f0, f1) as quarters walked in lockstep, then the leftover rows one by one. */
  private static void inQuarters(int f0, int f1, FourRows kernel) {
    int q = (f1 - f0) / 4;
    for (int f = f0; f < f0 + q; f++) {
      kernel.run(f, f + q, f + 2 * q, f + 3 * q);
    }
    for (int f = f0 + 4 * q; f < f1; f++) {
      kernel.run(f, f, f, f);
    }
  }

  /** Row i of out, features [f0, f1), from contiguous-group int4 weights. */
  static void int4(float[] out, float[] xp, int i, PackedInt4 w, float[] bias, int f0, int f1) {
    float[] scales = ScalarKernels.scratch(SCALES, 4 * w.groups()); // [4, groups] of the 4 rows
    inQuarters(f0, f1, (r0, r1, r2, r3) -> int4Rows(out, xp, i, w, bias, scales, r0, r1, r2, r3));
  }

  /**
   * Rows r0..r3 of the weight against row i of x. A block is L int32 words = 8L columns; nibble k
   * of word j is column 8j + k. Masking nibble k in place gives u·16^k, which converts to float
   * exactly (4 significant bits) and meets x·16^−k from {@link #prepare}: the product is u·x
   * rounded once, with one AND, one convert and one FMA per L weights (the top nibble is shifted
   * down instead, its mask would set the sign). The stored u = q + 8 is corrected per block by
   * adding −8·Σx / L to each of the L lanes before the block's group scale multiplies the sum.
   */
  private static void int4Rows(
      float[] out,
      float[] xp,
      int i,
      PackedInt4 w,
      float[] bias,
      float[] scales,
      int r0,
      int r1,
      int r2,
      int r3) {
    int in = w.cols();
    int groups = w.groups();
    int gs = w.groupSize();
    int xo = i * (in + in / (8 * L)); // row i of xp: [in] planes, then the block offsets
    int offsets = xo + in;
    rowScales(w, r0, scales, 0);
    rowScales(w, r1, scales, groups);
    rowScales(w, r2, scales, 2 * groups);
    rowScales(w, r3, scales, 3 * groups);
    MemorySegment packed = w.packed();
    long o0 = r0 * w.rowBytes();
    long o1 = r1 * w.rowBytes();
    long o2 = r2 * w.rowBytes();
    long o3 = r3 * w.rowBytes();
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    FloatVector acc2 = FloatVector.zero(F);
    FloatVector acc3 = FloatVector.zero(F);
    for (int k = 0; k < in; k += 8 * L) {
      IntVector w0 = IntVector.fromMemorySegment(I, packed, o0 + k / 2, LE);
      IntVector w1 = IntVector.fromMemorySegment(I, packed, o1 + k / 2, LE);
      IntVector w2 = IntVector.fromMemorySegment(I, packed, o2 + k / 2, LE);
      IntVector w3 = IntVector.fromMemorySegment(I, packed, o3 + k / 2, LE);
      FloatVector x0 = FloatVector.fromArray(F, xp, xo + k);
      FloatVector s0 = ((FloatVector) w0.and(0xf).convert(VectorOperators.I2F, 0)).mul(x0);
      FloatVector s1 = ((FloatVector) w1.and(0xf).convert(VectorOperators.I2F, 0)).mul(x0);
      FloatVector s2 = ((FloatVector) w2.and(0xf).convert(VectorOperators.I2F, 0)).mul(x0);
      FloatVector s3 = ((FloatVector) w3.and(0xf).convert(VectorOperators.I2F, 0)).mul(x0);
      for (int nib = 1; nib < 7; nib++) {
        int mask = 0xf << (4 * nib);
        FloatVector xn = FloatVector.fromArray(F, xp, xo + k + nib * L);
        s0 = ((FloatVector) w0.and(mask).convert(VectorOperators.I2F, 0)).fma(xn, s0);
        s1 = ((FloatVector) w1.and(mask).convert(VectorOperators.I2F, 0)).fma(xn, s1);
        s2 = ((FloatVector) w2.and(mask).convert(VectorOperators.I2F, 0)).fma(xn, s2);
        s3 = ((FloatVector) w3.and(mask).convert(VectorOperators.I2F, 0)).fma(xn, s3);
      }
      FloatVector x7 = FloatVector.fromArray(F, xp, xo + k + 7 * L);
      s0 =
          ((FloatVector) w0.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
              .fma(x7, s0);
      s1 =
          ((FloatVector) w1.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
              .fma(x7, s1);
      s2 =
          ((FloatVector) w2.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
              .fma(x7, s2);
      s3 =
          ((FloatVector) w3.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
              .fma(x7, s3);
      float offset = xp[offsets + k / (8 * L)];
      int g = k / gs;
      acc0 = s0.add(offset).fma(FloatVector.broadcast(F, scales[g]), acc0);
      acc1 = s1.add(offset).fma(FloatVector.broadcast(F, scales[groups + g]), acc1);
      acc2 = s2.add(offset).fma(FloatVector.broadcast(F, scales[2 * groups + g]), acc2);
      acc3 = s3.add(offset).fma(FloatVector.broadcast(F, scales[3 * groups + g]), acc3);
    }
    int o = i * w.rows();
    out[o + r0] = acc0.reduceLanes(VectorOperators.ADD) + (bias == null ? 0 : bias[r0]);
    out[o + r1] = acc1.reduceLanes(VectorOperators.ADD) + (bias == null ? 0 : bias[r1]);
    out[o + r2] = acc2.reduceLanes(VectorOperators.ADD) + (bias == null ? 0 : bias[r2]);
    out[o + r3] = acc3.reduceLanes(VectorOperators.ADD) + (bias == null ? 0 : bias[r3]);
  }

  /** scales[o .. o + groups) = the group scales of weight row r as float32. */
  private static void rowScales(PackedInt4 w, int r, float[] scales, int o) {
    Tensor t = w.scales();
    MemorySegment s = t.data();
    int groups = w.groups();
    long base = (long) r * groups;
    switch (t.dtype()) {
      case BF16 -> {
        for (int g = 0; g < groups; g++) {
          scales[o + g] = Float.intBitsToFloat(s.get(LittleEndian.SHORT, (base + g) * 2) << 16);
        }
      }
      default -> {
        for (int g = 0; g < groups; g++) {
          scales[o + g] = t.getFloat(base + g);
        }
      }
    }
  }

  /** Row i of out, features [f0, f1), from a bf16 matrix. */
  static void bf16(
      float[] out, float[] x, float[] xp, int i, CpuWeight.Dense w, float[] bias, int f0, int f1) {
    inQuarters(f0, f1, (r0, r1, r2, r3) -> bf16Rows(out, x, xp, i, w, bias, r0, r1, r2, r3));
  }

  /**
   * Rows r0..r3 of a bf16 matrix against row i of x, read as int32 words holding two columns each:
   * the low half shifted up is the even column, the high half masked is the odd one — no
   * conversions; x is permuted per 2L columns to its even then odd columns to match.
   */
  private static void bf16Rows(
      float[] out,
      float[] x,
      float[] xp,
      int i,
      CpuWeight.Dense w,
      float[] bias,
      int r0,
      int r1,
      int r2,
      int r3) {
    int in = w.cols();
    int bound = in / (2 * L) * (2 * L);
    MemorySegment data = w.data();
    long o0 = (long) r0 * in * 2;
    long o1 = (long) r1 * in * 2;
    long o2 = (long) r2 * in * 2;
    long o3 = (long) r3 * in * 2;
    FloatVector even0 = FloatVector.zero(F);
    FloatVector odd0 = FloatVector.zero(F);
    FloatVector even1 = FloatVector.zero(F);
    FloatVector odd1 = FloatVector.zero(F);
    FloatVector even2 = FloatVector.zero(F);
    FloatVector odd2 = FloatVector.zero(F);
    FloatVector even3 = FloatVector.zero(F);
    FloatVector odd3 = FloatVector.zero(F);
    int xo = i * in;
    for (int k = 0; k < bound; k += 2 * L) {
      FloatVector xe = FloatVector.fromArray(F, xp, xo + k);
      FloatVector xd = FloatVector.fromArray(F, xp, xo + k + L);
      IntVector w0 = IntVector.fromMemorySegment(I, data, o0 + 2L * k, LE);
      IntVector w1 = IntVector.fromMemorySegment(I, data, o1 + 2L * k, LE);
      IntVector w2 = IntVector.fromMemorySegment(I, data, o2 + 2L * k, LE);
      IntVector w3 = IntVector.fromMemorySegment(I, data, o3 + 2L * k, LE);
      even0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, even0);
      odd0 = w0.and(0xffff0000).reinterpretAsFloats().fma(xd, odd0);
      even1 = w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, even1);
      odd1 = w1.and(0xffff0000).reinterpretAsFloats().fma(xd, odd1);
      even2 = w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, even2);
      odd2 = w2.and(0xffff0000).reinterpretAsFloats().fma(xd, odd2);
      even3 = w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, even3);
      odd3 = w3.and(0xffff0000).reinterpretAsFloats().fma(xd, odd3);
    }
    int o = i * w.rows();
    out[o + r0] =
        even0.add(odd0).reduceLanes(VectorOperators.ADD) + tail(x, xo, data, o0, bound, in);
    out[o + r1] =
        even1.add(odd1).reduceLanes(VectorOperators.ADD) + tail(x, xo, data, o1, bound, in);
    out[o + r2] =
        even2.add(odd2).reduceLanes(VectorOperators.ADD) + tail(x, xo, data, o2, bound, in);
    out[o + r3] =
        even3.add(odd3).reduceLanes(VectorOperators.ADD) + tail(x, xo, data, o3, bound, in);
    if (bias != null) {
      out[o + r0] += bias[r0];
      out[o + r1] += bias[r1];
      out[o + r2] += bias[r2];
      out[o + r3] += bias[r3];
    }
  }

  /** Σ x[k]·w[k] over the columns [bound, in) past the last whole 2L block of a bf16 row. */
  private static float tail(float[] x, int xo, MemorySegment data, long off, int bound, int in) {
    float sum = 0;
    for (int k = bound; k < in; k++) {
      sum += x[xo + k] * Float.intBitsToFloat(data.get(LittleEndian.SHORT, off + 2L * k) << 16);
    }
    return sum;
  }
}
