package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.ActivationKernels;
import dev.docproc.gpu.AttentionKernels;
import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.CudaContext;
import dev.docproc.gpu.DeviceBuffer;
import dev.docproc.gpu.GatherKernels;
import dev.docproc.gpu.GemmKernels;
import dev.docproc.gpu.NormKernels;
import dev.docproc.gpu.RopeKernels;
import dev.docproc.gpu.SamplingKernels;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.IntBuf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.RecordedStep;
import dev.docproc.inference.engine.compute.TokenSelector;
import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CUDA backend: bf16 activations in device memory, weights uploaded once (int4 repacked for the
 * W4A16 kernels, the rest bf16), every op one or two kernels of gpu-native queued on the context's
 * one stream, so ops run in call order and {@link #read} waits for them. Decode steps are captured
 * as CUDA graphs ({@link #record}). Memory: weights allocated directly, activations and the KV
 * cache from a caching {@link BufferPool}, per-op workspaces kept for the backend's life (a
 * captured graph holds their addresses).
 */
public final class CudaOps implements Ops {
  private final CudaContext cuda;
  private final BufferPool pool;
  private final GemmKernels gemm;
  private final NormKernels norm;
  private final RopeKernels rope;
  private final AttentionKernels attention;
  private final ActivationKernels act;
  private final GatherKernels gather;
  final SamplingKernels sampling;
  private final List<CudaWeight> weights = new ArrayList<>();
  private final Map<String, DeviceBuffer> workspaces = new HashMap<>();
  private final List<DeviceBuffer> outgrown = new ArrayList<>(); // kept: old graphs may use them
  private boolean capturing;

  /** Takes over {@code cuda}: closing these ops closes it. */
  public CudaOps(CudaContext cuda) {
    this.cuda = cuda;
    this.pool = new BufferPool(cuda);
    this.gemm = new GemmKernels(cuda);
    this.norm = new NormKernels(cuda);
    this.rope = new RopeKernels(cuda);
    this.attention = new AttentionKernels(cuda);
    this.act = new ActivationKernels(cuda);
    this.gather = new GatherKernels(cuda);
    this.sampling = new SamplingKernels(cuda);
  }

  @Override
  public String name() {
    return "cuda (" + cuda.deviceName() + ", sm_" + cuda.computeCapability() + ", bf16)";
  }

  CudaContext context() {
    return cuda;
  }

  // ---- memory

  @Override
  public Buf alloc(int rows, int cols) {
    notCapturing("alloc");
    return CudaBuf.bf16(pool, rows, cols);
  }

  @Override
  public Buf allocF32(int rows, int cols) {
    notCapturing("allocF32");
    return CudaBuf.f32(pool, rows, cols);
  }

  @Override
  public IntBuf allocInts(int n) {
    notCapturing("allocInts");
    return new CudaInts(pool, n);
  }

  /**
   * The same memory as [rows, cols]: fewer rows of the same width keep the row stride; another
   * width needs a buffer without row padding (its rows then are one run of memory).
   */
  @Override
  public Buf view(Buf b, int rows, int cols) {
    CudaBuf c = buf(b);
    if (cols == c.cols && rows <= c.rows) {
      return c.view(rows, cols, c.ld);
    }
    if (c.ld != c.cols || (long) rows * cols > (long) c.rows * c.cols) {
      throw new IllegalArgumentException(
          "view ["
              + rows
              + ", "
              + cols
              + "] of a ["
              + c.rows
              + ", "
              + c.cols
              + "] buffer with row stride "
              + c.ld);
    }
    return c.view(rows, cols, cols);
  }

  /** Whole rows only: {@code src.length} must be a multiple of the row length. */
  @Override
  public void write(Buf dst, int row, float[] src) {
    notCapturing("write");
    CudaBuf d = buf(dst);
    if (src.length % d.cols != 0 || row < 0 || row + src.length / d.cols > d.rows) {
      throw new IllegalArgumentException(
          src.length + " values at row " + row + " do not fill rows of a " + shape(d) + " buffer");
    }
    int n = src.length / d.cols;
    if (n == 0) {
      return;
    }
    CudaBuf target = d.rows(row, n);
    if (d.f32) {
      target.data.upload(src); // f32 buffers have no row padding
      return;
    }
    short[] host = new short[(n - 1) * d.ld + d.cols];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < d.cols; c++) {
        host[r * d.ld + c] = Bf16.fromFloat(src[r * d.cols + c]);
      }
    }
    target.data.upload(host);
  }

  @Override
  public float[] read(Buf src, int row, int n) {
    notCapturing("read");
    CudaBuf s = buf(src);
    if (row < 0 || n < 0 || row + n > s.rows) {
      throw new IllegalArgumentException("rows [" + row + ", " + (row + n) + ") of " + shape(s));
    }
    float[] out = new float[n * s.cols];
    if (n == 0) {
      return out;
    }
    CudaBuf part = s.rows(row, n);
    int count = (n - 1) * s.ld + s.cols;
    if (s.f32) {
      float[] host = part.data.downloadFloats(count);
      for (int r = 0; r < n; r++) {
        System.arraycopy(host, r * s.ld, out, r * s.cols, s.cols);
      }
    } else {
      short[] host = part.data.downloadShorts(count);
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < s.cols; c++) {
          out[r * s.cols + c] = Bf16.toFloat(host[r * s.ld + c]);
        }
      }
    }
    return out;
  }

  @Override
  public void write(IntBuf dst, int[] src) {
    notCapturing("write");
    CudaInts d = (CudaInts) dst;
    if (src.length > d.length()) {
      throw new IllegalArgumentException(src.length + " ints into a vector of " + d.length());
    }
    if (src.length > 0) {
      d.data.upload(src);
    }
  }

  @Override
  public Weight dense(Tensor t) {
    return keep(CudaWeight.Dense.upload(cuda, t));
  }

  @Override
  public Weight w4a16(PackedInt4 w) {
    return keep(CudaWeight.Int4.upload(cuda, w));
  }

  private Weight keep(CudaWeight w) {
    weights.add(w);
    return w;
  }

  // ---- ops

  @Override
  public void embedding(Buf out, Weight table, IntBuf ids, int n) {
    CudaWeight.Dense t = dense(table, "embedding table");
    CudaBuf o = buf(out);
    sameCols(o, t.cols(), "embedding");
    gather.gatherRows(t.data(), t.ld(), t.rows(), ints(ids), n, o.data, o.ld, t.cols());
  }

  @Override
  public void matmulW4A16(Buf out, Buf x, int n, Weight w, Weight bias) {
    CudaBuf o = buf(out);
    CudaBuf in = buf(x);
    if (!(w instanceof CudaWeight.Int4 q)) {
      throw new IllegalArgumentException("matmulW4A16 needs an int4 weight");
    }
    matmulShapes(o, in, n, q);
    DeviceBuffer workspace =
        q.w().permutesInput() ? workspace("act-order input", 2L * n * q.cols()) : null;
    gemm.w4a16(in.data, in.ld, q.w(), vector(bias), o.data, o.ld, n, workspace);
  }

  @Override
  public void matmulDense(Buf out, Buf x, int n, Weight w, Weight bias) {
    CudaBuf o = buf(out);
    CudaBuf in = buf(x);
    CudaWeight.Dense d = dense(w, "matmul weight");
    matmulShapes(o, in, n, d);
    gemm.bf16(in.data, in.ld, d.data(), d.ld(), vector(bias), o.data, o.ld, n, d.rows(), d.cols());
  }

  @Override
  public void rmsNorm(Buf out, Buf x, int n, Weight w, float eps) {
    CudaBuf o = buf(out);
    CudaBuf in = buf(x);
    sameCols(o, in.cols, "rmsNorm");
    norm.rmsNorm(in.data, in.ld, vector(w), o.data, o.ld, n, in.cols, eps);
  }

  @Override
  public void rope(Buf x, int n, int heads, int headDim, Buf cos, Buf sin) {
    CudaBuf c = buf(cos);
    CudaBuf s = buf(sin);
    if (!c.f32 || !s.f32) {
      throw new IllegalArgumentException("rope tables must come from allocF32");
    }
    CudaBuf in = buf(x);
    rope.apply(in.data, in.ld, n, heads, headDim / 2, c.data, s.data, c.ld);
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
    int maxLen = 0;
    for (int s = 0; s + 1 < segments.length; s++) {
      if (segments[s + 1] < segments[s]) {
        throw new IllegalArgumentException("segments must not decrease");
      }
      maxLen = Math.max(maxLen, segments[s + 1] - segments[s]);
    }
    CudaBuf o = buf(out);
    CudaBuf qb = buf(q);
    CudaBuf kb = buf(k);
    CudaBuf vb = buf(v);
    try (CudaInts cu = (CudaInts) allocInts(segments.length)) {
      write(cu, segments);
      attention.prefill(
          qb.data,
          qb.ld,
          kb.data,
          kb.ld,
          vb.data,
          vb.ld,
          o.data,
          o.ld,
          cu.data,
          segments.length - 1,
          segments[segments.length - 1],
          Math.max(1, maxLen),
          heads,
          kvHeads,
          headDim,
          scale(headDim),
          causal);
    }
  }

  @Override
  public void storeKv(Buf kCache, Buf vCache, Buf k, Buf v, int n, IntBuf slots) {
    CudaBuf kc = buf(kCache);
    CudaBuf vc = buf(vCache);
    CudaBuf kb = buf(k);
    CudaBuf vb = buf(v);
    if (kc.ld != kc.cols || kb.cols != kc.cols || vb.cols != kc.cols) {
      throw new IllegalArgumentException(
          "storeKv: rows of " + kb.cols + " into caches " + shape(kc) + " / " + shape(vc));
    }
    attention.kvAppend(kb.data, kb.ld, vb.data, vb.ld, ints(slots), n, kc.data, vc.data, kc.cols);
  }

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
    CudaBuf o = buf(out);
    CudaBuf qb = buf(q);
    int maxLen = maxBlocks * blockSize;
    DeviceBuffer ws =
        workspace(
            "decode attention", AttentionKernels.decodeWorkspaceBytes(n, heads, headDim, maxLen));
    attention.decode(
        qb.data,
        qb.ld,
        buf(kCache).data,
        buf(vCache).data,
        ints(blockTable),
        maxBlocks,
        ints(lengths),
        n,
        blockSize,
        heads,
        kvHeads,
        headDim,
        scale(headDim),
        maxLen,
        ws,
        o.data,
        o.ld);
  }

  @Override
  public void siluMul(Buf gate, Buf up, int n) {
    CudaBuf g = buf(gate);
    CudaBuf u = buf(up);
    sameCols(u, g.cols, "siluMul");
    act.siluMul(g.data, g.ld, u.data, u.ld, g.data, g.ld, n, g.cols);
  }

  @Override
  public void gelu(Buf x, int n) {
    CudaBuf b = buf(x);
    act.gelu(b.data, b.ld, b.data, b.ld, n, b.cols);
  }

  @Override
  public void add(Buf x, Buf y, int n) {
    CudaBuf a = buf(x);
    CudaBuf b = buf(y);
    sameCols(b, a.cols, "add");
    act.add(a.data, a.ld, b.data, b.ld, n, a.cols);
  }

  @Override
  public void copyRows(Buf dst, int dstRow, Buf src, int srcRow, int n) {
    CudaBuf d = buf(dst);
    CudaBuf s = buf(src);
    sameCols(d, s.cols, "copyRows");
    if (d.f32 != s.f32) {
      throw new IllegalArgumentException("copyRows between bf16 and float32 buffers");
    }
    if (n == 0 || (dst == src && dstRow == srcRow)) {
      return;
    }
    if (dstRow < 0 || srcRow < 0 || dstRow + n > d.rows || srcRow + n > s.rows) {
      throw new IllegalArgumentException(
          "copyRows: " + n + " rows from " + srcRow + " to " + dstRow + " of " + shape(d));
    }
    if (dst == src && Math.abs(dstRow - srcRow) < n) {
      throw new IllegalArgumentException("copyRows: overlapping rows of one buffer");
    }
    if (d.ld == s.ld) {
      long bytes = ((long) (n - 1) * d.ld + d.cols) * d.elementBytes();
      d.rows(dstRow, n).data.copyFrom(s.rows(srcRow, n).data, bytes);
    } else {
      for (int r = 0; r < n; r++) {
        d.rows(dstRow + r, 1)
            .data
            .copyFrom(s.rows(srcRow + r, 1).data, (long) d.cols * d.elementBytes());
      }
    }
  }

  @Override
  public void gatherRows(Buf dst, Buf src, int[] index) {
    CudaBuf d = buf(dst);
    CudaBuf s = buf(src);
    sameCols(d, s.cols, "gatherRows");
    for (int i : index) {
      if (i < 0 || i >= s.rows) {
        throw new IllegalArgumentException("gatherRows: row " + i + " of " + shape(s));
      }
    }
    try (CudaInts idx = (CudaInts) allocInts(index.length)) {
      write(idx, index);
      gather.gatherRows(s.data, s.ld, s.rows, idx.data, index.length, d.data, d.ld, s.cols);
    }
  }

  @Override
  public int argmax(Buf x, int row) {
    CudaBuf b = buf(x).rows(row, 1);
    DeviceBuffer f32 = workspace("argmax logits", 4L * b.cols);
    DeviceBuffer id = workspace("argmax id", 4);
    sampling.prepareLogits(b.data, b.ld, f32, b.cols, null, 0, 1f, 1, b.cols);
    sampling.argmax(f32, b.cols, 1, b.cols, id);
    return id.downloadInts(1)[0];
  }

  @Override
  public Optional<TokenSelector> tokenSelector(int rows, int vocab) {
    return Optional.of(new CudaTokenSelector(this, rows, vocab));
  }

  @Override
  public RecordedStep record(Runnable body) {
    return new CudaStep(this, body);
  }

  // ---- helpers shared with CudaTokenSelector and CudaStep

  /**
   * A device workspace kept for this backend's life, grown (to at least twice its size) when a
   * caller needs more; the old one is kept too, as a captured graph may still address it.
   */
  DeviceBuffer workspace(String name, long bytes) {
    DeviceBuffer w = workspaces.get(name);
    if (w != null && w.bytes() >= bytes) {
      return w;
    }
    notCapturing("a new workspace '" + name + "'");
    if (w != null) {
      outgrown.add(w);
    }
    DeviceBuffer grown = cuda.allocate(Math.max(bytes, w == null ? 0 : 2 * w.bytes()));
    workspaces.put(name, grown);
    return grown;
  }

  BufferPool pool() {
    return pool;
  }

  void capturing(boolean on) {
    capturing = on;
  }

  private void notCapturing(String what) {
    if (capturing) {
      throw new IllegalStateException(
          what + " inside a recorded step: a CUDA graph cannot hold host copies or allocations");
    }
  }

  static CudaBuf buf(Buf b) {
    if (!(b instanceof CudaBuf c)) {
      throw new IllegalArgumentException("not a CUDA buffer: " + b);
    }
    return c;
  }

  static DeviceBuffer ints(IntBuf b) {
    if (!(b instanceof CudaInts c)) {
      throw new IllegalArgumentException("not a CUDA int vector: " + b);
    }
    return c.data;
  }

  private static CudaWeight.Dense dense(Weight w, String what) {
    if (!(w instanceof CudaWeight.Dense d)) {
      throw new IllegalArgumentException(what + " must be a dense CUDA weight");
    }
    return d;
  }

  private static DeviceBuffer vector(Weight w) {
    return w == null ? null : dense(w, "vector").data();
  }

  private static float scale(int headDim) {
    return (float) (1.0 / Math.sqrt(headDim));
  }

  private static void sameCols(CudaBuf b, int cols, String op) {
    if (b.cols != cols) {
      throw new IllegalArgumentException(op + ": " + cols + " columns vs " + shape(b));
    }
  }

  private static void matmulShapes(CudaBuf out, CudaBuf x, int n, Weight w) {
    if (x.cols != w.cols() || out.cols != w.rows() || n > x.rows || n > out.rows) {
      throw new IllegalArgumentException(
          "matmul shapes: x "
              + shape(x)
              + " · w ["
              + w.rows()
              + ", "
              + w.cols()
              + "]ᵀ → out "
              + shape(out)
              + " over "
              + n
              + " rows");
    }
  }

  private static String shape(CudaBuf b) {
    return "[" + b.rows + ", " + b.cols + "]";
  }

  @Override
  public void close() {
    for (CudaWeight w : weights) {
      w.close();
    }
    weights.clear();
    for (DeviceBuffer w : workspaces.values()) {
      w.close();
    }
    for (DeviceBuffer w : outgrown) {
      w.close();
    }
    workspaces.clear();
    outgrown.clear();
    pool.close();
    cuda.close();
  }
}
