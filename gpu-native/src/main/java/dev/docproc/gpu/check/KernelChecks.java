package dev.docproc.gpu.check;

import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.W4Layout;
import dev.docproc.gpu.reference.ActivationRef;
import dev.docproc.gpu.reference.AttentionRef;
import dev.docproc.gpu.reference.GatherRef;
import dev.docproc.gpu.reference.GemmRef;
import dev.docproc.gpu.reference.NormRef;
import dev.docproc.gpu.reference.RopeRef;
import dev.docproc.gpu.reference.SamplingRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Every kernel against its CPU reference on fresh random inputs, at odd sizes and at model sizes
 * (Qwen2.5-VL-3B: hidden 2048, intermediate 11008, 16/2 heads of 128, vision 1280/3420, 16 heads of
 * 80). A case passes when no output element is NaN where the reference is not (outputs are poisoned
 * with NaN before each run) and ‖out − ref‖ / ‖ref‖ is within the case's threshold.
 */
public final class KernelChecks {
  /** bf16 outputs: one rounding of the output plus accumulation-order differences. */
  static final double BF16 = 1e-2;

  /** fp32 outputs computed with the same operations as the reference. */
  static final double EXACT = 0;

  /** One case's outcome; {@code detail} says what was compared and, on failure, where. */
  public record Result(
      String kernel, String shape, double relError, double threshold, int nans, String detail) {
    public boolean passed() {
      return nans == 0 && relError <= threshold;
    }
  }

  private final KernelRunner gpu;
  private final Random random;

  public KernelChecks(KernelRunner gpu, long seed) {
    this.gpu = gpu;
    this.random = new Random(seed);
  }

  /** All cases, in the order they run. */
  public List<Supplier<Result>> cases() {
    List<Supplier<Result>> cases = new ArrayList<>();
    for (int m : new int[] {1, 3, 8}) {
      cases.add(() -> w4a16(m, 512, 2048, 128, false, m == 3));
    }
    cases.add(() -> w4a16(5, 256, 1024, 64, true, false));
    cases.add(() -> w4a16(77, 384, 1024, 128, false, true));
    cases.add(() -> w4a16(70, 256, 512, 64, true, true));
    cases.add(() -> w4a16(17, 2048, 11008, 128, false, false));
    cases.add(() -> bf16Linear(1, 1000, 2048, false));
    cases.add(() -> bf16Linear(6, 2048, 1280, true));
    cases.add(() -> bf16Linear(130, 1280, 1176, false));
    cases.add(() -> bf16Linear(70, 3420, 1280, true));
    cases.add(() -> bf16Linear(65, 1280, 3420, true));
    cases.add(() -> rmsNorm(7, 2048));
    cases.add(() -> addRmsNorm(5, 1280));
    cases.add(() -> siluMul(3, 3420));
    cases.add(() -> gelu(4, 5120));
    cases.add(() -> add(9, 2048));
    cases.add(() -> siluMul(70000, 24)); // more rows than a grid's y extent (65535)
    cases.add(() -> add(70001, 16));
    cases.add(() -> rope(37, 18, 64)); // 16 query + 2 key heads of the text model, M-RoPE angles
    cases.add(() -> rope(64, 32, 40)); // vision q and k (16 + 16 heads of 80), 2-D angles
    cases.add(() -> rope(11, 10, 16)); // the tiny test model's text heads
    cases.add(() -> prefill(new int[] {0, 64, 100, 164, 165}, 4, 4, 80, false));
    cases.add(() -> prefill(new int[] {0, 200, 277}, 16, 2, 128, true));
    cases.add(() -> prefill(new int[] {0, 1, 130}, 8, 8, 64, false));
    cases.add(() -> prefill(new int[] {0, 16, 40, 100}, 4, 4, 16, false)); // tiny vision windows
    cases.add(() -> prefill(new int[] {0, 75}, 8, 2, 32, true)); // tiny text prompt
    cases.add(() -> decode(new int[] {1, 130, 517}, 16, 2, 128, 16, 600));
    cases.add(() -> decode(new int[] {64, 65}, 16, 16, 80, 8, 128));
    cases.add(() -> decode(new int[] {3, 100, 64}, 8, 2, 32, 64, 192)); // tiny text, engine pages
    cases.add(this::gatherRows);
    cases.add(this::scatterRows);
    cases.add(this::gatherCols);
    cases.add(this::prepareLogits);
    cases.add(this::argmax);
    cases.add(() -> sample(0.7f, 50, 0.9f));
    cases.add(() -> sample(1.0f, 0, 0.8f));
    cases.add(() -> sample(1.3f, 0, 1f));
    return cases;
  }

  Result w4a16(int m, int n, int k, int groupSize, boolean actOrder, boolean bias) {
    int[] packed = new int[n * k / 8];
    for (int i = 0; i < packed.length; i++) {
      packed[i] = random.nextInt();
    }
    short[] scales = new short[n * (k / groupSize)];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = Bf16.fromFloat((float) Math.abs(random.nextGaussian() * 0.01) + 1e-3f);
    }
    int[] gIdx = null;
    if (actOrder) {
      List<Integer> order = new ArrayList<>();
      for (int c = 0; c < k; c++) {
        order.add(c);
      }
      Collections.shuffle(order, random);
      gIdx = new int[k];
      for (int pos = 0; pos < k; pos++) {
        gIdx[order.get(pos)] = pos / groupSize;
      }
    }
    W4Layout.Checkpoint checkpoint = new W4Layout.Checkpoint(n, k, packed, scales, gIdx);
    float[] x = randn(m * k, 1);
    float[] b = bias ? randn(n, 0.1) : null;
    float[] expected = GemmRef.linear(x, GemmRef.dequantize(checkpoint), b, m, n, k);
    float[] actual = gpu.w4a16(x, m, W4Layout.repack(n, k, packed, scales, gIdx, groupSize), b);
    String path = m <= 8 ? "gemv" : "gemm";
    return compare(
        "w4a16_" + path,
        m
            + "x"
            + n
            + "x"
            + k
            + " g"
            + groupSize
            + (actOrder ? " act-order" : "")
            + (bias ? " bias" : ""),
        expected,
        actual,
        BF16);
  }

  Result bf16Linear(int m, int n, int k, boolean bias) {
    float[] x = randn(m * k, 1);
    float[] w = randn(n * k, 0.05);
    float[] b = bias ? randn(n, 0.1) : null;
    float[] expected = GemmRef.linear(x, w, b, m, n, k);
    String path = m <= 8 ? "bf16_gemv" : "bf16_gemm";
    return compare(
        path,
        m + "x" + n + "x" + k + (bias ? " bias" : ""),
        expected,
        gpu.bf16Linear(x, m, w, n, k, b),
        BF16);
  }

  Result rmsNorm(int m, int h) {
    float[] x = randn(m * h, 3);
    float[] w = randn(h, 1);
    return compare(
        "rmsnorm",
        m + "x" + h,
        NormRef.rmsNorm(x, w, m, h, 1e-6f),
        gpu.rmsNorm(x, w, m, h, 1e-6f),
        BF16);
  }

  Result addRmsNorm(int m, int h) {
    float[] x = randn(m * h, 3);
    float[] y = randn(m * h, 1);
    float[] w = randn(h, 1);
    float[][] actual = gpu.addRmsNorm(x.clone(), y, w, m, h, 1e-6f);
    float[] residual = x.clone();
    float[] expected = NormRef.addRmsNorm(residual, y, w, m, h, 1e-6f);
    Result r =
        compare(
            "add_rmsnorm",
            m + "x" + h,
            concat(residual, expected),
            concat(actual[0], actual[1]),
            BF16);
    return r;
  }

  Result siluMul(int m, int n) {
    float[] gate = randn(m * n, 2);
    float[] up = randn(m * n, 1);
    return compare(
        "silu_mul",
        m + "x" + n + " fused",
        ActivationRef.siluMul(gate, up),
        gpu.siluMul(gate, up, m, n),
        BF16);
  }

  Result gelu(int m, int n) {
    float[] x = randn(m * n, 2);
    return compare("gelu", m + "x" + n, ActivationRef.gelu(x), gpu.gelu(x, m, n), BF16);
  }

  Result add(int m, int n) {
    float[] x = randn(m * n, 2);
    float[] y = randn(m * n, 1);
    return compare("add_rows", m + "x" + n, ActivationRef.add(x, y), gpu.add(x, y, m, n), BF16);
  }

  /** Heads of 2·half; angles as positions up to 6000 times frequencies give them. */
  Result rope(int t, int heads, int half) {
    int width = heads * 2 * half;
    float[] x = randn(t * width, 1);
    float[] cos = new float[t * half];
    float[] sin = new float[t * half];
    for (int i = 0; i < cos.length; i++) {
      double angle = random.nextInt(6000) * Math.pow(1e6, -(double) (i % half) / half);
      cos[i] = (float) Math.cos(angle);
      sin[i] = (float) Math.sin(angle);
    }
    float[] expected = x.clone();
    RopeRef.apply(expected, width, t, heads, half, cos, sin);
    return compare(
        "rope",
        t + "x" + heads + "x" + 2 * half,
        expected,
        gpu.rope(x, t, heads, half, cos, sin),
        BF16);
  }

  Result prefill(int[] cu, int hq, int hkv, int d, boolean causal) {
    int t = cu[cu.length - 1];
    float[] q = randn(t * hq * d, 1);
    float[] k = randn(t * hkv * d, 1);
    float[] v = randn(t * hkv * d, 1);
    float scale = (float) (1 / Math.sqrt(d));
    float[] expected = AttentionRef.prefill(q, k, v, cu, hq, hkv, d, scale, causal);
    return compare(
        "attention_prefill_d" + d,
        "cu " + Arrays.toString(cu) + " " + hq + "/" + hkv + " heads" + (causal ? " causal" : ""),
        expected,
        gpu.attentionPrefill(q, k, v, cu, hq, hkv, d, scale, causal),
        BF16);
  }

  Result decode(int[] seqLens, int hq, int hkv, int d, int blockSize, int maxSeqLen) {
    int batch = seqLens.length;
    int maxBlocks = (maxSeqLen + blockSize - 1) / blockSize;
    int cacheBlocks = batch * maxBlocks + 5;
    List<Integer> free = new ArrayList<>();
    for (int i = 0; i < cacheBlocks; i++) {
      free.add(i);
    }
    Collections.shuffle(free, random); // pages in no particular order, as after many requests
    int[] table = new int[batch * maxBlocks];
    int tokens = Arrays.stream(seqLens).sum();
    int[] slots = new int[tokens];
    int next = 0;
    int token = 0;
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < maxBlocks; i++) {
        table[b * maxBlocks + i] = free.get(next++);
      }
      for (int p = 0; p < seqLens[b]; p++) {
        slots[token++] = table[b * maxBlocks + p / blockSize] * blockSize + p % blockSize;
      }
    }
    int row = hkv * d;
    float[] k = randn(tokens * row, 1);
    float[] v = randn(tokens * row, 1);
    float[] q = randn(batch * hq * d, 1);
    float scale = (float) (1 / Math.sqrt(d));
    float[] kCache = new float[cacheBlocks * blockSize * row];
    float[] vCache = new float[kCache.length];
    AttentionRef.kvAppend(k, v, slots, kCache, vCache, row);
    float[] expected =
        AttentionRef.decode(
            q, kCache, vCache, table, maxBlocks, seqLens, blockSize, hq, hkv, d, scale);
    float[] actual =
        gpu.attentionDecode(
            q,
            k,
            v,
            slots,
            cacheBlocks * blockSize,
            table,
            maxBlocks,
            seqLens,
            blockSize,
            hq,
            hkv,
            d,
            scale,
            maxSeqLen);
    return compare(
        "attention_decode_d" + d,
        "lens " + Arrays.toString(seqLens) + " " + hq + "/" + hkv + " heads, pages of " + blockSize,
        expected,
        actual,
        BF16);
  }

  Result gatherRows() {
    int rows = 1000;
    int width = 2048;
    float[] src = randn(rows * width, 1);
    int[] idx = new int[37];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = random.nextInt(rows);
    }
    idx[5] = rows + 3; // out of range: must come back as a NaN row
    return compare(
        "gather_rows",
        "37 of 1000x2048, one index out of range",
        GatherRef.gatherRows(src, rows, width, idx),
        gpu.gatherRows(src, rows, width, idx),
        EXACT);
  }

  Result scatterRows() {
    int rows = 100;
    int width = 2048;
    float[] dst = randn(rows * width, 1);
    float[] src = randn(20 * width, 1);
    int[] idx = random.ints(0, rows).distinct().limit(20).toArray();
    float[] expected = dst.clone();
    GatherRef.scatterRows(src, width, idx, expected, rows);
    return compare(
        "scatter_rows",
        "20 into 100x2048",
        expected,
        gpu.scatterRows(src, width, idx, dst, rows),
        EXACT);
  }

  Result gatherCols() {
    int rows = 9;
    int width = 2048;
    float[] src = randn(rows * width, 1);
    List<Integer> p = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      p.add(i);
    }
    Collections.shuffle(p, random);
    int[] perm = p.stream().mapToInt(Integer::intValue).toArray();
    return compare(
        "gather_cols",
        rows + "x" + width,
        GatherRef.gatherCols(src, rows, width, perm),
        gpu.gatherCols(src, rows, width, perm),
        EXACT);
  }

  private static final int VOCAB = 151936;

  Result prepareLogits() {
    int batch = 3;
    int perRow = 300;
    float[] logits = randn(batch * VOCAB, 4);
    int[] ids = new int[batch * perRow];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(VOCAB);
    }
    byte[] seen = new byte[batch * VOCAB];
    SamplingRef.markSeen(seen, ids, perRow, VOCAB);
    float[] expected = SamplingRef.prepareLogits(logits, seen, 1.05f, VOCAB);
    return compare(
        "prepare_logits",
        batch + "x" + VOCAB + " penalty 1.05",
        expected,
        gpu.prepareLogits(logits, batch, VOCAB, ids, perRow, 1.05f),
        EXACT);
  }

  Result argmax() {
    int batch = 4;
    float[] x = randn(batch * VOCAB, 3);
    for (int b = 0; b < batch; b++) { // a planted tie: the first of two equal maxima must win
      int first = random.nextInt(VOCAB / 2);
      x[b * VOCAB + first] = 100;
      x[b * VOCAB + first + 1 + random.nextInt(VOCAB / 2)] = 100;
    }
    int[] actual = gpu.argmax(x, batch, VOCAB);
    int wrong = 0;
    StringBuilder detail = new StringBuilder();
    for (int b = 0; b < batch; b++) {
      int expected = SamplingRef.argmax(x, b * VOCAB, VOCAB);
      if (actual[b] != expected) {
        wrong++;
        detail
            .append(" row ")
            .append(b)
            .append(": ")
            .append(actual[b])
            .append(" != ")
            .append(expected);
      }
    }
    return new Result(
        "argmax",
        batch + "x" + VOCAB + " with ties",
        wrong,
        EXACT,
        0,
        wrong == 0 ? "ids equal" : detail.toString());
  }

  /**
   * Each sampled id must be kept by top-k/top-p and lie where the reference's inverse CDF puts the
   * row's uniform draw, within 1e-3 of the interval (the GPU sums fp32 masses and may disagree on a
   * boundary token of tiny mass; a wrong token is still off by far more); every state must have
   * advanced exactly one step.
   */
  Result sample(float temperature, int topK, float topP) {
    int batch = 8;
    float[] x = randn(batch * VOCAB, 3);
    long[] state = random.longs(batch).toArray();
    long[] before = state.clone();
    int[] ids = gpu.sample(x, batch, VOCAB, temperature, topK, topP, state);
    int wrong = 0;
    StringBuilder detail = new StringBuilder();
    for (int b = 0; b < batch; b++) {
      SamplingRef.Distribution dist =
          SamplingRef.distribution(x, b * VOCAB, VOCAB, temperature, topK, topP);
      double u = SamplingRef.uniform(before[b]);
      int id = ids[b];
      boolean ok =
          id >= 0 && id < VOCAB && dist.p()[id] > 0 && state[b] == SamplingRef.nextState(before[b]);
      if (ok) {
        double lo = dist.cdfBefore(id);
        ok = u >= lo - 1e-3 && u <= lo + dist.p()[id] + 1e-3;
      }
      if (!ok) {
        wrong++;
        detail
            .append(" row ")
            .append(b)
            .append(": id ")
            .append(id)
            .append(" u ")
            .append(u)
            .append(" expected ")
            .append(dist.draw(u));
      }
    }
    return new Result(
        "sample_top_k_top_p",
        "8x" + VOCAB + " T " + temperature + " k " + topK + " p " + topP,
        wrong,
        EXACT,
        0,
        wrong == 0 ? "draws match the reference CDF" : detail.toString());
  }

  /** Relative L2 error; NaN in the output where the reference has a number counts as a failure. */
  static Result compare(
      String kernel, String shape, float[] expected, float[] actual, double threshold) {
    if (actual.length != expected.length) {
      return new Result(
          kernel,
          shape,
          Double.POSITIVE_INFINITY,
          threshold,
          0,
          "length " + actual.length + " != " + expected.length);
    }
    double diff = 0;
    double ref = 0;
    int nans = 0;
    int firstBad = -1;
    for (int i = 0; i < expected.length; i++) {
      boolean expectNan = Float.isNaN(expected[i]);
      if (Float.isNaN(actual[i]) != expectNan) {
        nans++;
        firstBad = firstBad < 0 ? i : firstBad;
        continue;
      }
      if (expectNan) {
        continue;
      }
      double d = (double) actual[i] - expected[i];
      diff += d * d;
      ref += (double) expected[i] * expected[i];
      if (firstBad < 0 && Math.abs(d) > 0.05 * Math.abs(expected[i]) + 1e-2) {
        firstBad = i;
      }
    }
    double rel = ref == 0 ? Math.sqrt(diff) : Math.sqrt(diff / ref);
    String detail =
        firstBad < 0
            ? "max abs diff " + maxAbsDiff(expected, actual)
            : "first mismatch at "
                + firstBad
                + ": "
                + actual[firstBad]
                + " vs "
                + expected[firstBad];
    return new Result(kernel, shape, rel, threshold, nans, detail);
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      if (!Float.isNaN(a[i])) {
        m = Math.max(m, Math.abs((double) a[i] - b[i]));
      }
    }
    return m;
  }

  private float[] randn(int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = Bf16.round((float) (random.nextGaussian() * scale));
    }
    return a;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
