package dev.docproc.inference.engine.compute.cpu;

import static dev.docproc.inference.engine.testing.RandomTensors.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.IntBuf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import dev.docproc.inference.engine.testing.RandomTensors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every CPU op, Vector API against the scalar reference and both against a float64 formula computed
 * here, on odd sizes and fresh random inputs.
 */
class CpuOpsTest {
  private static final CpuOps SIMD = new CpuOps(new CpuOps.Options(3, true));
  private static final CpuOps SCALAR = new CpuOps(new CpuOps.Options(2, false));
  private static final double TOL = 2e-6;

  private final RandomTensors random = new RandomTensors(System.nanoTime());

  @AfterAll
  static void close() {
    SIMD.close();
    SCALAR.close();
  }

  @Test
  void vectorApiIsInUse() {
    assertTrue(SIMD.name().contains("Vector API"), SIMD.name());
  }

  @Test
  void vectorExpIsAccurate() {
    float[] x = random.floats(4096, 87);
    x[0] = 0;
    x[1] = -87f;
    x[2] = -100f;
    x[3] = 88f;
    var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
    for (int i = 0; i + species.length() <= x.length; i += species.length()) {
      float[] e = new float[species.length()];
      SimdMath.exp(jdk.incubator.vector.FloatVector.fromArray(species, x, i)).intoArray(e, 0);
      for (int j = 0; j < e.length; j++) {
        double ref = x[i + j] < -87 ? 0 : Math.exp(x[i + j]);
        assertEquals(ref, e[j], Math.abs(ref) * 3e-7, "exp(" + x[i + j] + ")");
      }
    }
  }

  /** Runs {@code op} on both backends and returns {simd, scalar} results. */
  private static float[][] both(Function<Ops, float[]> op) {
    return new float[][] {op.apply(SIMD), op.apply(SCALAR)};
  }

  private static void assertClose(float[] expected, float[][] results, double tol) {
    for (float[] r : results) {
      double err = relativeError(r, expected);
      assertTrue(err <= tol, "relative error " + err + " > " + tol);
    }
  }

  private static Buf buf(Ops ops, float[] values, int rows, int cols) {
    Buf b = ops.alloc(rows, cols);
    ops.write(b, 0, values);
    return b;
  }

  /** out = x · wᵀ + bias in float64 from the dequantized weight. */
  private static float[] linearReference(float[] x, int n, float[][] w, float[] bias) {
    int out = w.length;
    float[] r = new float[n * out];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < out; f++) {
        double s = bias == null ? 0 : bias[f];
        for (int k = 0; k < w[f].length; k++) {
          s += (double) x[i * w[f].length + k] * w[f][k];
        }
        r[i * out + f] = (float) s;
      }
    }
    return r;
  }

  private float[] runLinear(Ops ops, Function<Ops, Weight> weight, float[] x, int n, Tensor bias) {
    Weight w = weight.apply(ops);
    Buf xb = buf(ops, x, n, w.cols());
    Buf out = ops.alloc(n, w.rows());
    ops.linear(out, xb, n, w, bias == null ? null : ops.dense(bias));
    return ops.read(out, 0, n);
  }

  @ParameterizedTest(name = "int4 [{0}x{1}] group {2} g_idx {3}, {4} rows, {5} scales")
  @CsvSource({
    "37, 256, 128, false, 1, BF16",
    "37, 256, 128, false, 3, BF16",
    "70, 256, 32, false, 5, BF16",
    "129, 384, 64, false, 13, F16",
    "33, 256, 128, true, 1, BF16",
    "33, 256, 128, true, 6, F32",
    "19, 60, 20, false, 2, BF16",
    "19, 60, 20, false, 9, BF16",
    "300, 96, 96, false, 4, BF16",
    "41, 512, 256, false, 2, BF16",
    "23, 384, 128, false, 1, F32",
    // few rows (the 4-row matvec): quarters plus 1-3 leftover rows per task, F16 scales
    "45, 384, 128, false, 3, F16",
    "6, 256, 256, false, 1, BF16",
    "203, 1024, 128, false, 2, BF16",
    // many rows (the GEMM): two feature blocks with a partial panel, three k blocks, an edge tile
    "300, 640, 128, false, 13, BF16",
    "67, 768, 256, false, 6, F16",
    "70, 384, 128, true, 7, BF16",
    "90, 300, 20, false, 5, F32"
  })
  void matmulW4A16(int rows, int cols, int group, boolean gIdx, int n, DType scaleType) {
    PackedInt4 p = random.int4("w", rows, cols, group, gIdx, scaleType);
    float[][] dense = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      p.dequantizeRow(r, dense[r]);
      for (int c = 0; c < cols; c++) {
        int g = gIdx ? p.gIdx()[c] : c / group;
        assertEquals(p.q(r, c) * p.scale(r, g), dense[r][c]);
      }
    }
    float[] x = random.floats(n * cols, 1);
    Tensor bias = random.vector("b", DType.BF16, rows, 0.5);
    float[] ref = linearReference(x, n, dense, bias.toFloatArray());
    assertClose(ref, both(ops -> runLinear(ops, o -> o.w4a16(p), x, n, bias)), TOL);
  }

  @ParameterizedTest(name = "dense {0} [{1}x{2}], {3} rows")
  @CsvSource({
    "BF16, 41, 77, 1",
    "BF16, 41, 77, 2",
    "BF16, 67, 160, 7",
    "F16, 23, 50, 1",
    "F16, 23, 50, 11",
    "F32, 35, 33, 4",
    "BF16, 1000, 128, 1",
    "BF16, 7, 100, 3",
    "BF16, 203, 96, 2",
    // many rows (the GEMM): k blocks of 256 + a tail that is not a multiple of 2L, edge tiles
    "BF16, 130, 300, 11",
    "BF16, 270, 544, 20",
    "F16, 65, 260, 9"
  })
  void matmulDense(DType dtype, int rows, int cols, int n) {
    Tensor w = random.dense("w", dtype, rows, cols, 0.2);
    float[] wf = w.toFloatArray();
    float[][] dense = new float[rows][];
    for (int r = 0; r < rows; r++) {
      dense[r] = java.util.Arrays.copyOfRange(wf, r * cols, (r + 1) * cols);
    }
    float[] x = random.floats(n * cols, 1);
    float[] ref = linearReference(x, n, dense, null);
    assertClose(ref, both(ops -> runLinear(ops, o -> o.dense(w), x, n, null)), TOL);
  }

  @Test
  void rmsNorm() {
    int n = 5;
    int d = 83;
    float[] x = random.floats(n * d, 3);
    Tensor w = random.vector("w", DType.BF16, d, 1);
    float[] wf = w.toFloatArray();
    float[] ref = new float[n * d];
    for (int i = 0; i < n; i++) {
      double ss = 0;
      for (int k = 0; k < d; k++) {
        ss += (double) x[i * d + k] * x[i * d + k];
      }
      double inv = 1 / Math.sqrt(ss / d + 1e-6);
      for (int k = 0; k < d; k++) {
        ref[i * d + k] = (float) (wf[k] * x[i * d + k] * inv);
      }
    }
    assertClose(
        ref,
        both(
            ops -> {
              Buf out = ops.alloc(n, d);
              ops.rmsNorm(out, buf(ops, x, n, d), n, ops.dense(w), 1e-6f);
              return ops.read(out, 0, n);
            }),
        TOL);
  }

  @Test
  void rope() {
    int n = 7;
    int heads = 3;
    int hd = 20;
    float[] x = random.floats(n * heads * hd, 1);
    float[] angle = random.floats(n * hd / 2, 5);
    float[] cos = new float[angle.length];
    float[] sin = new float[angle.length];
    for (int i = 0; i < angle.length; i++) {
      cos[i] = (float) Math.cos(angle[i]);
      sin[i] = (float) Math.sin(angle[i]);
    }
    float[] ref = new float[x.length];
    for (int i = 0; i < n; i++) {
      for (int h = 0; h < heads; h++) {
        int o = (i * heads + h) * hd;
        for (int j = 0; j < hd / 2; j++) {
          double a = angle[i * hd / 2 + j];
          double x1 = x[o + j];
          double x2 = x[o + hd / 2 + j];
          ref[o + j] = (float) (x1 * Math.cos(a) - x2 * Math.sin(a));
          ref[o + hd / 2 + j] = (float) (x2 * Math.cos(a) + x1 * Math.sin(a));
        }
      }
    }
    assertClose(
        ref,
        both(
            ops -> {
              Buf xb = buf(ops, x, n, heads * hd);
              ops.rope(xb, n, heads, hd, buf(ops, cos, n, hd / 2), buf(ops, sin, n, hd / 2));
              return ops.read(xb, 0, n);
            }),
        TOL);
  }

  @Test
  void siluMulGeluAdd() {
    int n = 3;
    int d = 1001;
    float[] g = random.floats(n * d, 8);
    float[] u = random.floats(n * d, 2);
    float[] silu = new float[n * d];
    float[] gelu = new float[n * d];
    float[] sum = new float[n * d];
    for (int i = 0; i < n * d; i++) {
      silu[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
      gelu[i] = (float) (0.5 * g[i] * (1 + erfReference(g[i] / Math.sqrt(2))));
      sum[i] = g[i] + u[i];
    }
    assertClose(
        silu,
        both(
            ops -> {
              Buf gb = buf(ops, g, n, d);
              ops.siluMul(gb, buf(ops, u, n, d), n);
              return ops.read(gb, 0, n);
            }),
        TOL);
    assertClose(
        gelu,
        both(
            ops -> {
              Buf gb = buf(ops, g, n, d);
              ops.gelu(gb, n);
              return ops.read(gb, 0, n);
            }),
        TOL);
    assertClose(
        sum,
        both(
            ops -> {
              Buf gb = buf(ops, g, n, d);
              ops.add(gb, buf(ops, u, n, d), n);
              return ops.read(gb, 0, n);
            }),
        0);
  }

  /**
   * erf in float64, independent of {@code Erf}: Maclaurin series for |x| ≤ 2.5 (terms stay small),
   * beyond it 1 − erfc from the continued fraction erfc(x) = e^(−x²)/√π / (x + ½/(x + 1/(x + …))).
   */
  private static double erfReference(double x) {
    double z = Math.abs(x);
    double r;
    if (z <= 2.5) {
      double term = z;
      r = z;
      for (int k = 1; k < 100; k++) {
        term *= -z * z / k;
        r += term / (2 * k + 1);
      }
      r *= 2 / Math.sqrt(Math.PI);
    } else {
      double fraction = z;
      for (int n = 80; n >= 1; n--) {
        fraction = z + (n / 2.0) / fraction;
      }
      r = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / fraction;
    }
    return Math.copySign(r, x);
  }

  /** Softmax attention in float64 for one query against keys [k0, k1). */
  private static void attendReference(
      float[] out,
      int oo,
      float[] q,
      int qo,
      float[] k,
      float[] v,
      int k0,
      int k1,
      int kvStride,
      int kvCol,
      int hd) {
    double[] p = new double[k1 - k0];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = k0; j < k1; j++) {
      double s = 0;
      for (int d = 0; d < hd; d++) {
        s += (double) q[qo + d] * k[j * kvStride + kvCol + d];
      }
      p[j - k0] = s / Math.sqrt(hd);
      max = Math.max(max, p[j - k0]);
    }
    double sum = 0;
    for (int j = 0; j < p.length; j++) {
      p[j] = Math.exp(p[j] - max);
      sum += p[j];
    }
    for (int d = 0; d < hd; d++) {
      double o = 0;
      for (int j = k0; j < k1; j++) {
        o += p[j - k0] * v[j * kvStride + kvCol + d];
      }
      out[oo + d] = (float) (o / sum);
    }
  }

  @ParameterizedTest(name = "segments {0}, head dim {1}, {2}/{3} heads, causal {4}")
  @CsvSource({
    "0 16 21 90 91, 20, 3, 3, false",
    "0 600 601, 20, 3, 3, false",
    "0 257 800, 20, 3, 3, false",
    "0 64 130 131 400, 80, 3, 3, false",
    "0 37, 24, 4, 2, true",
    "0 300, 24, 4, 2, true",
    "0 70 71 140, 32, 8, 2, true"
  })
  void attentionWithinSegments(String bounds, int hd, int heads, int kvHeads, boolean causal) {
    int[] seg = java.util.Arrays.stream(bounds.split(" ")).mapToInt(Integer::parseInt).toArray();
    int n = seg[seg.length - 1];
    int w = heads * hd;
    int kw = kvHeads * hd;
    int group = heads / kvHeads;
    float[] q = random.floats(n * w, 2);
    float[] k = random.floats(n * kw, 2);
    float[] v = random.floats(n * kw, 1);
    float[] ref = new float[n * w];
    for (int s = 0; s + 1 < seg.length; s++) {
      for (int i = seg[s]; i < seg[s + 1]; i++) {
        int end = causal ? i + 1 : seg[s + 1];
        for (int h = 0; h < heads; h++) {
          attendReference(
              ref, i * w + h * hd, q, i * w + h * hd, k, v, seg[s], end, kw, (h / group) * hd, hd);
        }
      }
    }
    assertClose(
        ref,
        both(
            ops -> {
              Buf out = ops.alloc(n, w);
              ops.attention(
                  out,
                  buf(ops, q, n, w),
                  buf(ops, k, n, kw),
                  buf(ops, v, n, kw),
                  seg,
                  heads,
                  kvHeads,
                  hd,
                  causal);
              return ops.read(out, 0, n);
            }),
        TOL);
  }

  /**
   * Sequences of the given lengths stored in a KV cache at runs of 64-row blocks in no particular
   * order; one query per sequence attends over its positions.
   */
  @ParameterizedTest(name = "decode over cached lengths {0}")
  @CsvSource({"1", "40 700 64", "65 1 129 300"})
  void decodeAttentionOverStoredKeys(String lens) {
    int[] len = java.util.Arrays.stream(lens.split(" ")).mapToInt(Integer::parseInt).toArray();
    int batch = len.length;
    int heads = 4;
    int kvHeads = 2;
    int hd = 24;
    int kw = kvHeads * hd;
    int bs = 64;
    int maxBlocks = 12;
    int[] first = {30, 0, 12, 20}; // each sequence's first block: runs not in sequence order
    int slots = 48 * bs;
    int[] table = new int[batch * maxBlocks];
    float[] q = random.floats(batch * heads * hd, 2);
    float[][] k = new float[batch][];
    float[][] v = new float[batch][];
    float[] ref = new float[batch * heads * hd];
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < maxBlocks; j++) {
        table[b * maxBlocks + j] = first[b] + j;
      }
      k[b] = random.floats(len[b] * kw, 2);
      v[b] = random.floats(len[b] * kw, 1);
      for (int h = 0; h < heads; h++) {
        int o = (b * heads + h) * hd;
        attendReference(ref, o, q, o, k[b], v[b], 0, len[b], kw, (h / 2) * hd, hd);
      }
    }
    assertClose(
        ref,
        both(
            ops -> {
              Buf kCache = ops.alloc(slots, kw);
              Buf vCache = ops.alloc(slots, kw);
              for (int b = 0; b < batch; b++) {
                int[] at = new int[len[b]];
                for (int p = 0; p < len[b]; p++) {
                  at[p] = first[b] * bs + p;
                }
                IntBuf atBuf = ops.allocInts(len[b]);
                ops.write(atBuf, at);
                ops.storeKv(
                    kCache,
                    vCache,
                    buf(ops, k[b], len[b], kw),
                    buf(ops, v[b], len[b], kw),
                    len[b],
                    atBuf);
              }
              IntBuf tableBuf = ops.allocInts(table.length);
              ops.write(tableBuf, table);
              IntBuf lenBuf = ops.allocInts(batch);
              ops.write(lenBuf, len);
              Buf out = ops.alloc(batch, heads * hd);
              ops.decodeAttention(
                  out,
                  buf(ops, q, batch, heads * hd),
                  batch,
                  kCache,
                  vCache,
                  tableBuf,
                  maxBlocks,
                  lenBuf,
                  bs,
                  heads,
                  kvHeads,
                  hd);
              return ops.read(out, 0, batch);
            }),
        TOL);
  }

  @Test
  void decodeAttentionRefusesBlocksOutOfOrder() {
    IntBuf table = SIMD.allocInts(4);
    SIMD.write(table, new int[] {3, 5, 0, 0}); // two blocks that do not follow each other
    IntBuf len = SIMD.allocInts(1);
    SIMD.write(len, new int[] {70});
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                SIMD.decodeAttention(
                    SIMD.alloc(1, 8),
                    SIMD.alloc(1, 8),
                    1,
                    SIMD.alloc(640, 8),
                    SIMD.alloc(640, 8),
                    table,
                    4,
                    len,
                    64,
                    1,
                    1,
                    8));
    assertTrue(e.getMessage().contains("not consecutive"), e.getMessage());
  }

  @Test
  void embeddingGatherCopyArgmax() {
    Tensor table = random.dense("emb", DType.BF16, 50, 9, 1);
    float[] t = table.toFloatArray();
    int[] ids = {3, 49, 0, 3};
    for (Ops ops : new Ops[] {SIMD, SCALAR}) {
      Buf e = ops.alloc(4, 9);
      IntBuf idBuf = ops.allocInts(ids.length);
      ops.write(idBuf, ids);
      ops.embedding(e, ops.dense(table), idBuf, ids.length);
      float[] got = ops.read(e, 0, 4);
      for (int i = 0; i < ids.length; i++) {
        assertArrayEquals(
            java.util.Arrays.copyOfRange(t, ids[i] * 9, ids[i] * 9 + 9),
            java.util.Arrays.copyOfRange(got, i * 9, i * 9 + 9));
      }
      Buf g = ops.alloc(4, 9);
      ops.gatherRows(g, e, new int[] {2, 0, 3, 1});
      float[] gathered = ops.read(g, 0, 4);
      assertArrayEquals(
          java.util.Arrays.copyOfRange(got, 2 * 9, 3 * 9),
          java.util.Arrays.copyOfRange(gathered, 0, 9));
      Buf c = ops.alloc(6, 9);
      ops.copyRows(c, 2, e, 1, 2);
      assertArrayEquals(
          java.util.Arrays.copyOfRange(got, 9, 27),
          java.util.Arrays.copyOfRange(ops.read(c, 2, 2), 0, 18));
      float[] logits = random.floats(2 * 1000, 1);
      logits[1000 + 777] = 5;
      logits[1000 + 778] = 5;
      assertEquals(777, ops.argmax(buf(ops, logits, 2, 1000), 1));
    }
  }
}
