package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.IntBuf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.RecordedStep;
import dev.docproc.inference.engine.compute.TokenSelector;
import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.util.Optional;

/**
 * The CPU backend: float32 activations on the heap, weights read in place from the mapped
 * checkpoint, every op split over all cores. Kernels are the Vector API ones when the {@code
 * jdk.incubator.vector} module is present (and not switched off), else the scalar reference.
 */
public final class CpuOps implements Ops {

  /**
   * Settings: {@code docproc.cpu.threads} (default: all processors), {@code docproc.cpu.simd}
   * (default true; false forces the scalar reference kernels).
   */
  public record Options(int threads, boolean simd) {
    public static Options fromSystemProperties() {
      int threads =
          Integer.getInteger("docproc.cpu.threads", Runtime.getRuntime().availableProcessors());
      boolean simd = !"false".equals(System.getProperty("docproc.cpu.simd"));
      return new Options(Math.max(1, threads), simd);
    }
  }

  private final Kernels kernels;
  private final Parallel parallel;
  private final String name;

  public CpuOps(Options options) {
    boolean simd = options.simd() && vectorApiPresent();
    this.kernels = simd ? new SimdKernels() : new ScalarKernels();
    this.parallel = new Parallel(options.threads());
    this.name =
        "cpu ("
            + options.threads()
            + " threads, "
            + (simd ? "Vector API " + SimdLinear.L + " floats" : "scalar")
            + ")";
  }

  public static CpuOps create() {
    return new CpuOps(Options.fromSystemProperties());
  }

  static boolean vectorApiPresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  @Override
  public String name() {
    return name;
  }

  private static float[] data(Buf b) {
    return ((CpuBuf) b).data;
  }

  private static float[] vector(Weight w) {
    return w == null ? null : ((CpuWeight.Dense) w).values();
  }

  private static void checkRows(Buf b, int n, String what) {
    if (n > b.rows()) {
      throw new IllegalArgumentException(what + ": " + n + " rows exceed the buffer's " + b.rows());
    }
  }

  @Override
  public Buf alloc(int rows, int cols) {
    return new CpuBuf(rows, cols);
  }

  @Override
  public Buf allocF32(int rows, int cols) {
    return new CpuBuf(rows, cols);
  }

  @Override
  public IntBuf allocInts(int n) {
    return new CpuInts(n);
  }

  @Override
  public void write(IntBuf dst, int[] src) {
    System.arraycopy(src, 0, ((CpuInts) dst).data, 0, src.length);
  }

  @Override
  public Buf view(Buf b, int rows, int cols) {
    float[] d = data(b);
    if ((long) rows * cols > d.length) {
      throw new IllegalArgumentException(
          "view [" + rows + ", " + cols + "] exceeds a buffer of " + d.length + " values");
    }
    return new CpuBuf(d, rows, cols);
  }

  @Override
  public void write(Buf dst, int row, float[] src) {
    System.arraycopy(src, 0, data(dst), row * dst.cols(), src.length);
  }

  @Override
  public float[] read(Buf src, int row, int n) {
    float[] out = new float[n * src.cols()];
    System.arraycopy(data(src), row * src.cols(), out, 0, out.length);
    return out;
  }

  @Override
  public Weight dense(Tensor t) {
    return CpuWeight.Dense.of(t);
  }

  @Override
  public Weight w4a16(PackedInt4 w) {
    return new CpuWeight.Int4(w);
  }

  @Override
  public void embedding(Buf out, Weight table, IntBuf tokens, int n) {
    checkRows(out, n, "embedding");
    CpuWeight.Dense t = (CpuWeight.Dense) table;
    int[] ids = ((CpuInts) tokens).data;
    float[] o = data(out);
    float[] row = new float[t.cols()];
    for (int i = 0; i < n; i++) {
      if (ids[i] < 0 || ids[i] >= t.rows()) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " outside the embedding table's " + t.rows() + " rows");
      }
      WeightRows.decodeDense(t, ids[i], 0, t.cols(), row);
      System.arraycopy(row, 0, o, i * t.cols(), t.cols());
    }
  }

  @Override
  public void matmulW4A16(Buf out, Buf x, int n, Weight w, Weight bias) {
    matmul(out, x, n, w, bias);
  }

  @Override
  public void matmulDense(Buf out, Buf x, int n, Weight w, Weight bias) {
    matmul(out, x, n, w, bias);
  }

  private void matmul(Buf out, Buf x, int n, Weight w, Weight bias) {
    checkRows(x, n, "matmul input");
    checkRows(out, n, "matmul output");
    if (x.cols() != w.cols() || out.cols() != w.rows()) {
      throw new IllegalArgumentException(
          "matmul shapes: x ["
              + n
              + ", "
              + x.cols()
              + "] · w ["
              + w.rows()
              + ", "
              + w.cols()
              + "]ᵀ → out ["
              + n
              + ", "
              + out.cols()
              + "]");
    }
    int features = w.rows();
    int chunk =
        n >= SimdLinear.GEMM_MIN_ROWS
            ? gemmChunk(features)
            : Math.max(16, ceilDiv(features, parallel.threads() * 8));
    float[] o = data(out);
    float[] xs = data(x);
    CpuWeight cw = (CpuWeight) w;
    float[] b = vector(bias);
    float[] prepared = kernels.prepare(xs, n, cw);
    parallel.forEach(
        ceilDiv(features, chunk),
        t ->
            kernels.linear(
                o, xs, prepared, n, cw, b, t * chunk, Math.min(features, (t + 1) * chunk)));
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /**
   * Features per GEMM task: whole panels of NR, at most NC, and the same number of tasks for every
   * thread where the panels divide (each task costs the same, so an extra task on one thread would
   * leave the other idle for its length).
   */
  private int gemmChunk(int features) {
    int panels = ceilDiv(features, SimdGemm.NR);
    int perThread = ceilDiv(panels, parallel.threads());
    int tasks = parallel.threads() * ceilDiv(perThread, SimdGemm.NC / SimdGemm.NR);
    return SimdGemm.NR * ceilDiv(panels, tasks);
  }

  /** Splits n rows into about four tasks per thread. */
  private void forRows(int n, java.util.function.IntConsumer row) {
    int chunk = Math.max(1, ceilDiv(n, parallel.threads() * 4));
    parallel.forEach(
        ceilDiv(n, chunk),
        t -> {
          for (int i = t * chunk, end = Math.min(n, i + chunk); i < end; i++) {
            row.accept(i);
          }
        });
  }

  /** Splits [0, len) into ranges of at least 16k values. */
  private void forRange(int len, RangeBody body) {
    int chunk = Math.max(1 << 14, ceilDiv(len, parallel.threads() * 4));
    parallel.forEach(ceilDiv(len, chunk), t -> body.run(t * chunk, Math.min(len, (t + 1) * chunk)));
  }

  private interface RangeBody {
    void run(int from, int to);
  }

  @Override
  public void rmsNorm(Buf out, Buf x, int n, Weight w, float eps) {
    checkRows(x, n, "rmsNorm");
    float[] o = data(out);
    float[] xs = data(x);
    float[] ws = vector(w);
    forRows(n, i -> kernels.rmsNorm(o, xs, i, x.cols(), ws, eps));
  }

  @Override
  public void rope(Buf x, int n, int heads, int headDim, Buf cos, Buf sin) {
    float[] xs = data(x);
    float[] c = data(cos);
    float[] s = data(sin);
    forRows(n, i -> kernels.rope(xs, i, heads, headDim, c, s));
  }

  @Override
  public void attention(
      Buf out,
      Buf q,
      Buf k,
      Buf v,
      int[] segments,
      int heads,
      int kvHeads,
      int headDim,
      boolean causal) {
    float scale = (float) (1.0 / Math.sqrt(headDim));
    int group = heads / kvHeads;
    float[] o = data(out);
    float[] qs = data(q);
    float[] ks = data(k);
    float[] vs = data(v);
    // tasks: (segment, head, block of qChunk queries); each task transposes every key block it
    // reads once, so larger blocks amortise that over more queries
    int qChunk = 256;
    int nseg = segments.length - 1;
    int[] firstTask = new int[nseg + 1];
    for (int s = 0; s < nseg; s++) {
      firstTask[s + 1] = firstTask[s] + heads * ceilDiv(segments[s + 1] - segments[s], qChunk);
    }
    parallel.forEach(
        firstTask[nseg],
        t -> {
          int s = 0;
          while (firstTask[s + 1] <= t) {
            s++;
          }
          int len = segments[s + 1] - segments[s];
          int chunks = ceilDiv(len, qChunk);
          int h = (t - firstTask[s]) / chunks;
          int c = (t - firstTask[s]) % chunks;
          int q0 = c * qChunk;
          int nq = Math.min(qChunk, len - q0);
          kernels.attendHead(
              o,
              qs,
              ks,
              vs,
              new AttentionHead(
                  segments[s] + q0,
                  nq,
                  segments[s],
                  causal ? q0 + nq : len,
                  causal ? q0 : -1,
                  h * headDim,
                  (h / group) * headDim,
                  heads * headDim,
                  kvHeads * headDim,
                  headDim,
                  scale));
        });
  }

  @Override
  public void storeKv(Buf kCache, Buf vCache, Buf k, Buf v, int n, IntBuf slots) {
    int[] at = ((CpuInts) slots).data;
    int c = k.cols();
    for (int i = 0; i < n; i++) {
      checkRows(kCache, at[i] + 1, "KV cache slot");
      System.arraycopy(data(k), i * c, data(kCache), at[i] * c, c);
      System.arraycopy(data(v), i * c, data(vCache), at[i] * c, c);
    }
  }

  /**
   * Reads each sequence's keys as one run of cache rows, so its blocks must be consecutive ({@code
   * decoder.KvPool} allocates them so); a table that is not fails with a message saying so.
   */
  @Override
  public void decodeAttention(
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
      int headDim) {
    float scale = (float) (1.0 / Math.sqrt(headDim));
    int group = heads / kvHeads;
    int[] table = ((CpuInts) blockTable).data;
    int[] len = ((CpuInts) lengths).data;
    int[] firstRow = new int[n];
    for (int b = 0; b < n; b++) {
      int blocks = ceilDiv(len[b], blockSize);
      for (int j = 1; j < blocks; j++) {
        if (table[b * maxBlocks + j] != table[b * maxBlocks] + j) {
          throw new IllegalArgumentException(
              "CPU decode attention: the KV blocks of sequence " + b + " are not consecutive");
        }
      }
      firstRow[b] = table[b * maxBlocks] * blockSize;
      checkRows(kCache, firstRow[b] + len[b], "KV cache");
    }
    float[] o = data(out);
    float[] qs = data(q);
    float[] ks = data(kCache);
    float[] vs = data(vCache);
    parallel.forEach(
        n * heads,
        t -> {
          int b = t / heads;
          int h = t % heads;
          kernels.attendHead(
              o,
              qs,
              ks,
              vs,
              new AttentionHead(
                  b,
                  1,
                  firstRow[b],
                  len[b],
                  -1,
                  h * headDim,
                  (h / group) * headDim,
                  heads * headDim,
                  kvHeads * headDim,
                  headDim,
                  scale));
        });
  }

  @Override
  public void siluMul(Buf gate, Buf up, int n) {
    float[] g = data(gate);
    float[] u = data(up);
    forRange(n * gate.cols(), (from, to) -> kernels.siluMul(g, u, from, to));
  }

  @Override
  public void gelu(Buf x, int n) {
    float[] xs = data(x);
    forRange(n * x.cols(), (from, to) -> kernels.gelu(xs, from, to));
  }

  @Override
  public void add(Buf x, Buf y, int n) {
    float[] xs = data(x);
    float[] ys = data(y);
    forRange(n * x.cols(), (from, to) -> kernels.add(xs, ys, from, to));
  }

  @Override
  public void copyRows(Buf dst, int dstRow, Buf src, int srcRow, int n) {
    if (dst.cols() != src.cols()) {
      throw new IllegalArgumentException("copyRows: " + src.cols() + " → " + dst.cols() + " cols");
    }
    System.arraycopy(
        data(src), srcRow * src.cols(), data(dst), dstRow * dst.cols(), n * src.cols());
  }

  @Override
  public void gatherRows(Buf dst, Buf src, int[] index) {
    int c = src.cols();
    float[] d = data(dst);
    float[] s = data(src);
    for (int i = 0; i < index.length; i++) {
      System.arraycopy(s, index[i] * c, d, i * c, c);
    }
  }

  @Override
  public int argmax(Buf x, int row) {
    float[] xs = data(x);
    int o = row * x.cols();
    int best = 0;
    for (int i = 1; i < x.cols(); i++) {
      if (xs[o + i] > xs[o + best]) {
        best = i;
      }
    }
    return best;
  }

  /** None: the caller chooses tokens on the host (generate.Sampler). */
  @Override
  public Optional<TokenSelector> tokenSelector(int rows, int vocab) {
    return Optional.empty();
  }

  /** Nothing to capture on the CPU: the step runs as called. */
  @Override
  public RecordedStep record(Runnable body) {
    return new RecordedStep() {
      @Override
      public void run() {
        body.run();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void close() {
    parallel.close();
  }
}
