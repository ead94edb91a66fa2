package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.PackedInt4;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * out[n, f0..f1) = x[n, in] · wᵀ (+ bias) for many rows of x (prefill, vision), GotoBLAS-style: a
 * [KC × NC] block of the weight is decoded once to float32 panels of NR features ([k][NR] layout),
 * then every MR × NR tile of the output accumulates broadcast(x[m][k]) · panel[k] over the block in
 * MR × 4 = 24 accumulator registers. Per k the tile does 4 panel loads and 6 broadcasts for 24
 * FMAs, enough independent FMAs to cover their latency, so it runs near the FMA ports' rate (the
 * previous 4 × 2 tile had 8, exactly the latency × throughput product, and stalled); the weight
 * decode is paid once per block, not per row of x.
 */
final class SimdGemm {
  private static final VectorSpecies<Float> F = SimdLinear.F;
  private static final int L = SimdLinear.L;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  static final int MR = 6;
  static final int NR = 4 * L;
  static final int KC = 256;
  static final int NC = 8 * NR;

  private static final ThreadLocal<float[]> PANELS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> EDGE_X = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> EDGE_C = ThreadLocal.withInitial(() -> new float[0]);

  private SimdGemm() {}

  static void gemm(float[] out, float[] x, int n, CpuWeight w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int outCols = w.rows();
    float[] panels = ScalarKernels.scratch(PANELS, KC * NC); // [NC/NR][KC][NR]
    float[] rows = ScalarKernels.scratch(ROWS, NR * KC); // [NR, KC] decoded weight rows
    float[] edgeX = ScalarKernels.scratch(EDGE_X, MR * KC); // [MR, kw] rows of a partial tile
    float[] edgeC = ScalarKernels.scratch(EDGE_C, MR * NR); // [MR, NR] output of a partial tile
    for (int nb = f0; nb < f1; nb += NC) {
      int nw = Math.min(NC, f1 - nb);
      for (int m = 0; m < n; m++) {
        for (int f = nb; f < nb + nw; f++) {
          out[m * outCols + f] = bias == null ? 0 : bias[f];
        }
      }
      for (int kb = 0; kb < in; kb += KC) {
        int kw = Math.min(KC, in - kb);
        packPanels(w, nb, nw, kb, kw, panels, rows);
        for (int m = 0; m < n; m += MR) {
          int mw = Math.min(MR, n - m);
          float[] xt = x;
          int xo = m * in + kb;
          int xs = in;
          if (mw < MR) {
            // the last rows, zero-padded to a full tile so no access leaves the arrays
            Arrays.fill(edgeX, 0f);
            for (int i = 0; i < mw; i++) {
              System.arraycopy(x, (m + i) * in + kb, edgeX, i * kw, kw);
            }
            xt = edgeX;
            xo = 0;
            xs = kw;
          }
          for (int p = 0; p * NR < nw; p++) {
            int f = nb + p * NR;
            int fw = Math.min(NR, nb + nw - f);
            int po = p * kw * NR;
            if (fw == NR && mw == MR) {
              tile(out, m * outCols + f, outCols, xt, xo, xs, panels, po, kw);
            } else {
              for (int i = 0; i < mw; i++) {
                System.arraycopy(out, (m + i) * outCols + f, edgeC, i * NR, fw);
              }
              tile(edgeC, 0, NR, xt, xo, xs, panels, po, kw);
              for (int i = 0; i < mw; i++) {
                System.arraycopy(edgeC, i * NR, out, (m + i) * outCols + f, fw);
              }
            }
          }
        }
      }
    }
  }

  /**
   * panels[p][k][j] = w[nb + p·NR + j][kb + k], zero beyond the block's nw features. The NR weight
   * rows of a panel are first decoded with vector ops into rows [NR, kw], in the order the ops
   * produce (see {@link #decodeRow}); then a gather whose lane j reads row j turns each column into
   * L features of one panel row (a transpose without scalar stores).
   */
  private static void packPanels(
      CpuWeight w, int nb, int nw, int kb, int kw, float[] panels, float[] rows) {
    int np = (nw + NR - 1) / NR;
    int[] gather = new int[L];
    for (int p = 0; p < np; p++) {
      int features = Math.min(NR, nw - p * NR);
      int stride = 1;
      for (int j = 0; j < features; j++) {
        stride = decodeRow(w, nb + p * NR + j, kb, kw, rows, j * kw);
      }
      Arrays.fill(rows, features * kw, NR * kw, 0f);
      int base = p * kw * NR;
      int strips = (kw + L - 1) / L;
      for (int j = 0; j < L; j++) {
        gather[j] = j * kw; // lane j of a gather: feature row j of a group of L rows
      }
      for (int s = 0; s < strips; s++) {
        // strip s holds columns c0 + stride·lane of every decoded row
        int c0 = (s / stride) * stride * L + s % stride;
        int lanes = Math.min(L, kw - s * L);
        for (int lane = 0; lane < lanes; lane++) {
          int po = base + (c0 + lane * stride) * NR;
          for (int jv = 0; jv < NR; jv += L) {
            FloatVector.fromArray(F, rows, jv * kw + s * L + lane, gather, 0)
                .intoArray(panels, po + jv);
          }
        }
      }
    }
  }

  /**
   * dst[o + pos] = w[row][kb + col(pos)] for kw columns, returning the stride of the order: 8 for
   * contiguous int4 (strip s of L values holds columns 8·lane + s % 8 of its 8L block, the nibble
   * planes of L int32 words), 2 for bf16 (even then odd columns of each 2L block), 1 for column
   * order (every other format, and blocks whose width does not divide).
   */
  private static int decodeRow(CpuWeight w, int row, int kb, int kw, float[] dst, int o) {
    switch (w) {
      case CpuWeight.Int4 q when SimdLinear.int4FastPath(q.w()) && kw % (8 * L) == 0 -> {
        PackedInt4 p = q.w();
        MemorySegment packed = p.packed();
        long off = row * p.rowBytes() + kb / 2;
        for (int k = 0; k < kw; k += 8 * L, off += 4L * L) {
          IntVector words = IntVector.fromMemorySegment(I, packed, off, LE);
          FloatVector scale = FloatVector.broadcast(F, p.scale(row, (kb + k) / p.groupSize()));
          for (int nib = 0; nib < 8; nib++) {
            ((FloatVector)
                    words
                        .lanewise(VectorOperators.LSHR, 4 * nib)
                        .and(0xf)
                        .sub(8)
                        .convert(VectorOperators.I2F, 0))
                .mul(scale)
                .intoArray(dst, o + k + nib * L);
          }
        }
        return 8;
      }
      case CpuWeight.Dense d
          when d.dtype() == DType.BF16 && d.values() == null && kw % (2 * L) == 0 -> {
        long off = ((long) row * d.cols() + kb) * 2;
        for (int k = 0; k < kw; k += 2 * L) {
          IntVector words = IntVector.fromMemorySegment(I, d.data(), off + 2L * k, LE);
          words.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, o + k);
          words.and(0xffff0000).reinterpretAsFloats().intoArray(dst, o + k + L);
        }
        return 2;
      }
      default -> {
        float[] r = ScalarKernels.scratch(ROW, kw);
        WeightRows.decode(w, row, kb, kb + kw, r);
        System.arraycopy(r, 0, dst, o, kw);
        return 1;
      }
    }
  }

  /**
   * c[i][0..NR) += Σ_k x[i][k] · panel[k][0..NR) for the MR rows of a tile: MR × 4 accumulator
   * vectors, one broadcast of x per row and k.
   */
  private static void tile(
      float[] c, int co, int cs, float[] x, int xo, int xs, float[] panels, int po, int kw) {
    int o1 = co + cs;
    int o2 = o1 + cs;
    int o3 = o2 + cs;
    int o4 = o3 + cs;
    int o5 = o4 + cs;
    FloatVector c00 = FloatVector.fromArray(F, c, co);
    FloatVector c01 = FloatVector.fromArray(F, c, co + L);
    FloatVector c02 = FloatVector.fromArray(F, c, co + 2 * L);
    FloatVector c03 = FloatVector.fromArray(F, c, co + 3 * L);
    FloatVector c10 = FloatVector.fromArray(F, c, o1);
    FloatVector c11 = FloatVector.fromArray(F, c, o1 + L);
    FloatVector c12 = FloatVector.fromArray(F, c, o1 + 2 * L);
    FloatVector c13 = FloatVector.fromArray(F, c, o1 + 3 * L);
    FloatVector c20 = FloatVector.fromArray(F, c, o2);
    FloatVector c21 = FloatVector.fromArray(F, c, o2 + L);
    FloatVector c22 = FloatVector.fromArray(F, c, o2 + 2 * L);
    FloatVector c23 = FloatVector.fromArray(F, c, o2 + 3 * L);
    FloatVector c30 = FloatVector.fromArray(F, c, o3);
    FloatVector c31 = FloatVector.fromArray(F, c, o3 + L);
    FloatVector c32 = FloatVector.fromArray(F, c, o3 + 2 * L);
    FloatVector c33 = FloatVector.fromArray(F, c, o3 + 3 * L);
    FloatVector c40 = FloatVector.fromArray(F, c, o4);
    FloatVector c41 = FloatVector.fromArray(F, c, o4 + L);
    FloatVector c42 = FloatVector.fromArray(F, c, o4 + 2 * L);
    FloatVector c43 = FloatVector.fromArray(F, c, o4 + 3 * L);
    FloatVector c50 = FloatVector.fromArray(F, c, o5);
    FloatVector c51 = FloatVector.fromArray(F, c, o5 + L);
    FloatVector c52 = FloatVector.fromArray(F, c, o5 + 2 * L);
    FloatVector c53 = FloatVector.fromArray(F, c, o5 + 3 * L);
    int x1 = xo + xs;
    int x2 = x1 + xs;
    int x3 = x2 + xs;
    int x4 = x3 + xs;
    int x5 = x4 + xs;
    for (int k = 0; k < kw; k++) {
      int bo = po + k * NR;
      FloatVector b0 = FloatVector.fromArray(F, panels, bo);
      FloatVector b1 = FloatVector.fromArray(F, panels, bo + L);
      FloatVector b2 = FloatVector.fromArray(F, panels, bo + 2 * L);
      FloatVector b3 = FloatVector.fromArray(F, panels, bo + 3 * L);
      FloatVector a = FloatVector.broadcast(F, x[xo + k]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      c02 = a.fma(b2, c02);
      c03 = a.fma(b3, c03);
      a = FloatVector.broadcast(F, x[x1 + k]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      c12 = a.fma(b2, c12);
      c13 = a.fma(b3, c13);
      a = FloatVector.broadcast(F, x[x2 + k]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      c22 = a.fma(b2, c22);
      c23 = a.fma(b3, c23);
      a = FloatVector.broadcast(F, x[x3 + k]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      c32 = a.fma(b2, c32);
      c33 = a.fma(b3, c33);
      a = FloatVector.broadcast(F, x[x4 + k]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      c42 = a.fma(b2, c42);
      c43 = a.fma(b3, c43);
      a = FloatVector.broadcast(F, x[x5 + k]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      c52 = a.fma(b2, c52);
      c53 = a.fma(b3, c53);
    }
    c00.intoArray(c, co);
    c01.intoArray(c, co + L);
    c02.intoArray(c, co + 2 * L);
    c03.intoArray(c, co + 3 * L);
    c10.intoArray(c, o1);
    c11.intoArray(c, o1 + L);
    c12.intoArray(c, o1 + 2 * L);
    c13.intoArray(c, o1 + 3 * L);
    c20.intoArray(c, o2);
    c21.intoArray(c, o2 + L);
    c22.intoArray(c, o2 + 2 * L);
    c23.intoArray(c, o2 + 3 * L);
    c30.intoArray(c, o3);
    c31.intoArray(c, o3 + L);
    c32.intoArray(c, o3 + 2 * L);
    c33.intoArray(c, o3 + 3 * L);
    c40.intoArray(c, o4);
    c41.intoArray(c, o4 + L);
    c42.intoArray(c, o4 + 2 * L);
    c43.intoArray(c, o4 + 3 * L);
    c50.intoArray(c, o5);
    c51.intoArray(c, o5 + L);
    c52.intoArray(c, o5 + 2 * L);
    c53.intoArray(c, o5 + 3 * L);
  }
}
