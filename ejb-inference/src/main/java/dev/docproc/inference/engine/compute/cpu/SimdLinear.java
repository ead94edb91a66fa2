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
 * vision): a GotoBLAS-style GEMM — a [KC × NC] block of the weight is decoded once to float32 in
 * panels of NR features ([k][NR] layout), then a 4 × NR register tile of the output accumulates
 * broadcast(x[m][k]) · panel[k] over the block.
 */
final class SimdLinear {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int L = F.length();
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Rows below this go through the per-row matvec; above, the weight decode is amortised. */
  static final int GEMM_MIN_ROWS = 4;

  static final int MR = 4;
  static final int NR = 2 * L;
  static final int KC = 256;
  static final int NC = 8 * NR;

  private static final ThreadLocal<float[]> PANELS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[0]);

  private SimdLinear() {}

  static void linear(
      float[] out, float[] x, float[] xp, int n, CpuWeight w, float[] bias, int f0, int f1) {
    if (n >= GEMM_MIN_ROWS) {
      gemm(out, x, n, w, bias, f0, f1);
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

  // ---- GEMM: many rows of x

  private static void gemm(
      float[] out, float[] x, int n, CpuWeight w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int outCols = w.rows();
    float[] panels = ScalarKernels.scratch(PANELS, KC * NC);
    float[] row = ScalarKernels.scratch(ROW, KC);
    float[] edge = ScalarKernels.scratch(EDGE, MR * NR); // [MR, NR] tile of a partial panel
    for (int nb = f0; nb < f1; nb += NC) {
      int nw = Math.min(NC, f1 - nb);
      for (int m = 0; m < n; m++) {
        for (int f = nb; f < nb + nw; f++) {
          out[m * outCols + f] = bias == null ? 0 : bias[f];
        }
      }
      for (int kb = 0; kb < in; kb += KC) {
        int kw = Math.min(KC, in - kb);
        packPanels(w, nb, nw, kb, kw, panels, row);
        for (int p = 0; p * NR < nw; p++) {
          int f = nb + p * NR;
          int fw = Math.min(NR, nb + nw - f);
          int po = p * kw * NR;
          for (int m = 0; m < n; m += MR) {
            int mw = Math.min(MR, n - m);
            if (fw == NR && mw == MR) {
              tile(out, m * outCols + f, outCols, x, m * in + kb, in, mw, panels, po, kw);
            } else {
              // partial tile: through a zero-padded [MR, NR] copy, so no access leaves the arrays
              java.util.Arrays.fill(edge, 0f);
              for (int i = 0; i < mw; i++) {
                System.arraycopy(out, (m + i) * outCols + f, edge, i * NR, fw);
              }
              tile(edge, 0, NR, x, m * in + kb, in, mw, panels, po, kw);
              for (int i = 0; i < mw; i++) {
                System.arraycopy(edge, i * NR, out, (m + i) * outCols + f, fw);
              }
            }
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
        decodeRow(w, nb + j, kb, kw, row);
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

  private static final int[] STRIDE8 = new int[L]; // lane j → 8j
  private static final int[] STRIDE2 = new int[L]; // lane j → 2j

  static {
    for (int j = 0; j < L; j++) {
      STRIDE8[j] = 8 * j;
      STRIDE2[j] = 2 * j;
    }
  }

  /**
   * dst[0 .. kw) = w[row][kb .. kb + kw) in column order, decoded in registers (the transposes of
   * the matvec layouts, scattered back) for int4 blocks and bf16; other formats the plain way.
   */
  private static void decodeRow(CpuWeight w, int row, int kb, int kw, float[] dst) {
    switch (w) {
      case CpuWeight.Int4 q when int4FastPath(q.w()) && kb % (8 * L) == 0 && kw % (8 * L) == 0 -> {
        PackedInt4 p = q.w();
        float[] scales = ScalarKernels.scratch(SCALES, p.groups());
        p.scalesOfRow(row, scales);
        long off = row * p.rowBytes() + kb / 2;
        for (int k = 0; k < kw; k += 8 * L, off += 4L * L) {
          IntVector words = IntVector.fromMemorySegment(I, p.packed(), off, LE);
          FloatVector scale = FloatVector.broadcast(F, scales[(kb + k) / p.groupSize()]);
          for (int nib = 0; nib < 8; nib++) {
            ((FloatVector)
                    words
                        .lanewise(VectorOperators.LSHR, 4 * nib)
                        .and(0xf)
                        .sub(8)
                        .convert(VectorOperators.I2F, 0))
                .mul(scale)
                .intoArray(dst, k + nib, STRIDE8, 0);
          }
        }
      }
      case CpuWeight.Dense d when d.dtype() == DType.BF16 && d.values() == null -> {
        long off = ((long) row * d.cols() + kb) * 2;
        int bound = kw / (2 * L) * (2 * L);
        for (int k = 0; k < bound; k += 2 * L) {
          IntVector words = IntVector.fromMemorySegment(I, d.data(), off + 2L * k, LE);
          words
              .lanewise(VectorOperators.LSHL, 16)
              .reinterpretAsFloats()
              .intoArray(dst, k, STRIDE2, 0);
          words.and(0xffff0000).reinterpretAsFloats().intoArray(dst, k + 1, STRIDE2, 0);
        }
        for (int k = bound; k < kw; k++) {
          dst[k] = Float.intBitsToFloat(d.data().get(LittleEndian.SHORT, off + 2L * k) << 16);
        }
      }
      default -> WeightRows.decode(w, row, kb, kb + kw, dst);
    }
  }

  /**
   * c[i][0..NR) += Σ_k x[i][k] · panel[k][0..NR) for i < mw (≤ MR) rows: the register tile, MR × NR
   * accumulators, one broadcast of x and two panel loads per k and row.
   */
  private static void tile(
      float[] c,
      int co,
      int cs,
      float[] x,
      int xo,
      int xs,
      int mw,
      float[] panels,
      int po,
      int kw) {
    if (mw < MR) {
      for (int i = 0; i < mw; i++) {
        tile1(c, co + i * cs, x, xo + i * xs, panels, po, kw);
      }
      return;
    }
    int o1 = co + cs;
    int o2 = o1 + cs;
    int o3 = o2 + cs;
    FloatVector c00 = FloatVector.fromArray(F, c, co);
    FloatVector c01 = FloatVector.fromArray(F, c, co + L);
    FloatVector c10 = FloatVector.fromArray(F, c, o1);
    FloatVector c11 = FloatVector.fromArray(F, c, o1 + L);
    FloatVector c20 = FloatVector.fromArray(F, c, o2);
    FloatVector c21 = FloatVector.fromArray(F, c, o2 + L);
    FloatVector c30 = FloatVector.fromArray(F, c, o3);
    FloatVector c31 = FloatVector.fromArray(F, c, o3 + L);
    int x1 = xo + xs;
    int x2 = x1 + xs;
    int x3 = x2 + xs;
    for (int k = 0; k < kw; k++) {
      int bo = po + k * NR;
      FloatVector b0 = FloatVector.fromArray(F, panels, bo);
      FloatVector b1 = FloatVector.fromArray(F, panels, bo + L);
      FloatVector a = FloatVector.broadcast(F, x[xo + k]);
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
    c00.intoArray(c, co);
    c01.intoArray(c, co + L);
    c10.intoArray(c, o1);
    c11.intoArray(c, o1 + L);
    c20.intoArray(c, o2);
    c21.intoArray(c, o2 + L);
    c30.intoArray(c, o3);
    c31.intoArray(c, o3 + L);
  }

  private static void tile1(float[] c, int co, float[] x, int xo, float[] panels, int po, int kw) {
    FloatVector c0 = FloatVector.fromArray(F, c, co);
    FloatVector c1 = FloatVector.fromArray(F, c, co + L);
    for (int k = 0; k < kw; k++) {
      int bo = po + k * NR;
      FloatVector a = FloatVector.broadcast(F, x[xo + k]);
      c0 = a.fma(FloatVector.fromArray(F, panels, bo), c0);
      c1 = a.fma(FloatVector.fromArray(F, panels, bo + L), c1);
    }
    c0.intoArray(c, co);
    c1.intoArray(c, co + L);
  }
}
