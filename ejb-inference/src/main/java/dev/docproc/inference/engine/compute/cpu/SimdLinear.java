package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.PackedInt4;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Linear layers with the Vector API. Few rows (decode): one pass over each weight row, decoding
 * int4 or bf16 in registers — memory-bound, so the bytes read are the cost. Many rows (prefill,
 * vision): a GotoBLAS-style GEMM — a [KC × NC] block of the weight is decoded once to float32 in
 * panels of NR features ([k][NR] layout), then a 4 × NR register tile of the output accumulates
 * broadcast(x[m][k]) · panel[k] over the block.
 */
final class SimdLinear {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int L = F.length();
  private static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
  private static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Rows below this go through the per-row matvec; above, the weight decode is amortised. */
  static final int GEMM_MIN_ROWS = 4;

  static final int MR = 4;
  static final int NR = 2 * L;
  static final int KC = 256;
  static final int NC = 8 * NR;

  private static final ThreadLocal<float[]> PANELS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

  private SimdLinear() {}

  static void linear(float[] out, float[] x, int n, CpuWeight w, float[] bias, int f0, int f1) {
    if (n >= GEMM_MIN_ROWS) {
      gemm(out, x, n, w, bias, f0, f1);
      return;
    }
    for (int i = 0; i < n; i++) {
      switch (w) {
        case CpuWeight.Int4 q when int4FastPath(q.w()) ->
            matvecInt4(out, x, i, q.w(), bias, f0, f1);
        case CpuWeight.Dense d when d.dtype() == DType.BF16 && d.values() == null ->
            matvecBf16(out, x, i, d, bias, f0, f1);
        default -> matvecDecoded(out, x, i, w, bias, f0, f1);
      }
    }
  }

  /** Contiguous groups made of whole 2L-column blocks: one scale per run of blocks. */
  static boolean int4FastPath(PackedInt4 w) {
    return w.gIdx() == null && w.groupSize() % (2 * L) == 0 && w.cols() % w.groupSize() == 0;
  }

  // ---- decode: one row of x

  /**
   * Row i of out from int4 weights. Each L-byte load holds 2L columns: low nibbles are the even
   * columns, high nibbles the odd ones, so x is first split per block into its even then odd
   * columns (xp), which turns the nibble halves into two plain FMAs.
   */
  private static void matvecInt4(
      float[] out, float[] x, int i, PackedInt4 w, float[] bias, int f0, int f1) {
    int in = w.cols();
    float[] xp = ScalarKernels.scratch(ROW, in);
    for (int b = 0; b < in; b += 2 * L) {
      for (int j = 0; j < L; j++) {
        xp[b + j] = x[i * in + b + 2 * j];
        xp[b + L + j] = x[i * in + b + 2 * j + 1];
      }
    }
    MemorySegment packed = w.packed();
    int groups = w.groups();
    int blocksPerGroup = w.groupSize() / (2 * L);
    for (int f = f0; f < f1; f++) {
      long off = f * w.rowBytes();
      FloatVector acc = FloatVector.zero(F);
      int k = 0;
      for (int g = 0; g < groups; g++) {
        FloatVector gacc = FloatVector.zero(F);
        for (int blk = 0; blk < blocksPerGroup; blk++, off += L, k += 2 * L) {
          ByteVector bytes = ByteVector.fromMemorySegment(B, packed, off, LE);
          FloatVector lo = nibblesToFloat(bytes.and((byte) 0xf));
          FloatVector hi = nibblesToFloat(bytes.lanewise(VectorOperators.LSHR, 4).and((byte) 0xf));
          gacc = lo.fma(FloatVector.fromArray(F, xp, k), gacc);
          gacc = hi.fma(FloatVector.fromArray(F, xp, k + L), gacc);
        }
        acc = gacc.fma(FloatVector.broadcast(F, w.scale(f, g)), acc);
      }
      float sum = acc.reduceLanes(VectorOperators.ADD);
      out[i * w.rows() + f] = bias == null ? sum : sum + bias[f];
    }
  }

  private static FloatVector nibblesToFloat(ByteVector u) {
    return (FloatVector) u.sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
  }

  /** Row i of out from bf16 weights: widen 16 → 32 bits by a shift, in registers. */
  private static void matvecBf16(
      float[] out, float[] x, int i, CpuWeight.Dense w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int xo = i * in;
    int bound = F.loopBound(in);
    MemorySegment data = w.data();
    for (int f = f0; f < f1; f++) {
      long off = (long) f * in * 2;
      FloatVector acc0 = FloatVector.zero(F);
      FloatVector acc1 = FloatVector.zero(F);
      int k = 0;
      for (; k + 2 * L <= bound; k += 2 * L) {
        acc0 = bf16(data, off + 2L * k).fma(FloatVector.fromArray(F, x, xo + k), acc0);
        acc1 = bf16(data, off + 2L * (k + L)).fma(FloatVector.fromArray(F, x, xo + k + L), acc1);
      }
      for (; k < bound; k += L) {
        acc0 = bf16(data, off + 2L * k).fma(FloatVector.fromArray(F, x, xo + k), acc0);
      }
      float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
      for (; k < in; k++) {
        sum += x[xo + k] * Float.intBitsToFloat(data.get(WeightRows.SHORT, off + 2L * k) << 16);
      }
      out[i * w.rows() + f] = bias == null ? sum : sum + bias[f];
    }
  }

  private static FloatVector bf16(MemorySegment data, long off) {
    return ShortVector.fromMemorySegment(S, data, off, LE)
        .convertShape(VectorOperators.S2I, F.withLanes(int.class), 0)
        .lanewise(VectorOperators.LSHL, 16)
        .reinterpretAsFloats();
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

  // ---- GEMM: many rows of x

  private static void gemm(
      float[] out, float[] x, int n, CpuWeight w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int outCols = w.rows();
    float[] panels = ScalarKernels.scratch(PANELS, KC * NC);
    float[] row = ScalarKernels.scratch(ROW, KC);
    for (int nb = f0; nb < f1; nb += NC) {
      int nw = Math.min(NC, f1 - nb);
      for (int kb = 0; kb < in; kb += KC) {
        int kw = Math.min(KC, in - kb);
        packPanels(w, nb, nw, kb, kw, panels, row);
        boolean first = kb == 0;
        for (int p = 0; p * NR < nw; p++) {
          int f = nb + p * NR;
          int fw = Math.min(NR, nb + nw - f);
          VectorMask<Float> mask0 = F.indexInRange(0, fw);
          VectorMask<Float> mask1 = F.indexInRange(L, fw);
          int po = p * kw * NR;
          int m = 0;
          for (; m + MR <= n; m += MR) {
            tile4(out, outCols, x, in, m, f, mask0, mask1, panels, po, kb, kw, bias, first);
          }
          for (; m < n; m++) {
            tile1(out, outCols, x, in, m, f, mask0, mask1, panels, po, kb, kw, bias, first);
          }
        }
      }
    }
  }

  /** panels[p][k][j] = w[nb + p·NR + j][kb + k], zero beyond the block's nw features. */
  private static void packPanels(
      CpuWeight w, int nb, int nw, int kb, int kw, float[] panels, float[] row) {
    int np = (nw + NR - 1) / NR;
    for (int j = 0; j < np * NR; j++) {
      int po = (j / NR) * kw * NR + j % NR;
      if (j < nw) {
        WeightRows.decode(w, nb + j, kb, kb + kw, row);
        for (int k = 0; k < kw; k++) {
          panels[po + k * NR] = row[k];
        }
      } else {
        for (int k = 0; k < kw; k++) {
          panels[po + k * NR] = 0;
        }
      }
    }
  }

  private static FloatVector initial(
      float[] out, int o, float[] bias, int f, VectorMask<Float> mask, boolean first) {
    if (!first) {
      return FloatVector.fromArray(F, out, o, mask);
    }
    return bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, f, mask);
  }

  private static void tile4(
      float[] out,
      int outCols,
      float[] x,
      int in,
      int m,
      int f,
      VectorMask<Float> mask0,
      VectorMask<Float> mask1,
      float[] panels,
      int po,
      int kb,
      int kw,
      float[] bias,
      boolean first) {
    int o0 = m * outCols + f;
    int o1 = o0 + outCols;
    int o2 = o1 + outCols;
    int o3 = o2 + outCols;
    FloatVector c00 = initial(out, o0, bias, f, mask0, first);
    FloatVector c01 = initial(out, o0 + L, bias, f + L, mask1, first);
    FloatVector c10 = initial(out, o1, bias, f, mask0, first);
    FloatVector c11 = initial(out, o1 + L, bias, f + L, mask1, first);
    FloatVector c20 = initial(out, o2, bias, f, mask0, first);
    FloatVector c21 = initial(out, o2 + L, bias, f + L, mask1, first);
    FloatVector c30 = initial(out, o3, bias, f, mask0, first);
    FloatVector c31 = initial(out, o3 + L, bias, f + L, mask1, first);
    int x0 = m * in + kb;
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    for (int k = 0; k < kw; k++) {
      int bo = po + k * NR;
      FloatVector b0 = FloatVector.fromArray(F, panels, bo);
      FloatVector b1 = FloatVector.fromArray(F, panels, bo + L);
      FloatVector a = FloatVector.broadcast(F, x[x0 + k]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(F, x[x1 + k]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(F, x[x2 + k]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(F, x[x3 + k]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
    }
    c00.intoArray(out, o0, mask0);
    c01.intoArray(out, o0 + L, mask1);
    c10.intoArray(out, o1, mask0);
    c11.intoArray(out, o1 + L, mask1);
    c20.intoArray(out, o2, mask0);
    c21.intoArray(out, o2 + L, mask1);
    c30.intoArray(out, o3, mask0);
    c31.intoArray(out, o3 + L, mask1);
  }

  private static void tile1(
      float[] out,
      int outCols,
      float[] x,
      int in,
      int m,
      int f,
      VectorMask<Float> mask0,
      VectorMask<Float> mask1,
      float[] panels,
      int po,
      int kb,
      int kw,
      float[] bias,
      boolean first) {
    int o0 = m * outCols + f;
    FloatVector c0 = initial(out, o0, bias, f, mask0, first);
    FloatVector c1 = initial(out, o0 + L, bias, f + L, mask1, first);
    int x0 = m * in + kb;
    for (int k = 0; k < kw; k++) {
      int bo = po + k * NR;
      FloatVector a = FloatVector.broadcast(F, x[x0 + k]);
      c0 = a.fma(FloatVector.fromArray(F, panels, bo), c0);
      c1 = a.fma(FloatVector.fromArray(F, panels, bo + L), c1);
    }
    c0.intoArray(out, o0, mask0);
    c1.intoArray(out, o0 + L, mask1);
  }
}
