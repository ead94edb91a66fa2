package dev.docproc.gpu.check;

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
import dev.docproc.gpu.W4Layout;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs each kernel on the GPU through its launcher: uploads the inputs, poisons every output with
 * NaN (or an impossible id) first, launches, synchronizes and downloads. Where the model uses
 * strided views, inputs are embedded in wider matrices (row stride > row length) so the stride
 * arguments are exercised too.
 */
public final class CudaRunner implements KernelRunner, AutoCloseable {
  private static final int POISON_F32 = 0x7fc00000;
  private static final int POISON_ID = Integer.MIN_VALUE;
  private final CudaContext cuda;
  private final GemmKernels gemm;
  private final NormKernels norm;
  private final ActivationKernels act;
  private final RopeKernels rope;
  private final AttentionKernels attention;
  private final GatherKernels gather;
  private final SamplingKernels sampling;
  private final List<DeviceBuffer> buffers = new ArrayList<>();

  public CudaRunner(CudaContext cuda) {
    this.cuda = cuda;
    gemm = new GemmKernels(cuda);
    norm = new NormKernels(cuda);
    act = new ActivationKernels(cuda);
    rope = new RopeKernels(cuda);
    attention = new AttentionKernels(cuda);
    gather = new GatherKernels(cuda);
    sampling = new SamplingKernels(cuda);
  }

  public CudaContext context() {
    return cuda;
  }

  @Override
  public float[] w4a16(float[] x, int m, W4Layout w, float[] bias) {
    try (GemmKernels.W4Weights dw = GemmKernels.W4Weights.upload(cuda, w)) {
      int ldx = w.k() + 64;
      DeviceBuffer dx = strided(x, m, w.k(), ldx);
      DeviceBuffer y = output16(m * w.n());
      DeviceBuffer workspace = dw.permutesInput() ? output16(m * w.k()) : null;
      gemm.w4a16(dx, ldx, dw, bf16(bias), y, w.n(), m, workspace);
      return finish(y, m * w.n());
    } finally {
      release();
    }
  }

  @Override
  public float[] bf16Linear(float[] x, int m, float[] w, int n, int k, float[] bias) {
    try {
      int ld = (k + 7) / 8 * 8 + 8; // padded, 16-byte aligned rows (as for K = 3420)
      DeviceBuffer y = output16(m * n);
      gemm.bf16(strided(x, m, k, ld), ld, strided(w, n, k, ld), ld, bf16(bias), y, n, m, n, k);
      return finish(y, m * n);
    } finally {
      release();
    }
  }

  @Override
  public float[] rmsNorm(float[] x, float[] w, int m, int h, float eps) {
    try {
      DeviceBuffer out = output16(m * h);
      norm.rmsNorm(bf16(x), h, bf16(w), out, h, m, h, eps);
      return finish(out, m * h);
    } finally {
      release();
    }
  }

  @Override
  public float[][] addRmsNorm(float[] x, float[] y, float[] w, int m, int h, float eps) {
    try {
      DeviceBuffer dx = bf16(x);
      DeviceBuffer out = output16(m * h);
      norm.addRmsNorm(dx, h, bf16(y), h, bf16(w), out, h, m, h, eps);
      float[] normalized = finish(out, m * h);
      return new float[][] {Bf16.toFloats(dx.downloadShorts(m * h)), normalized};
    } finally {
      release();
    }
  }

  @Override
  public float[] siluMul(float[] gate, float[] up, int m, int n) {
    try { // gate and up side by side in one [m][2n] matrix, as a fused gate_up projection writes
      float[] fused = new float[m * 2 * n];
      for (int r = 0; r < m; r++) {
        System.arraycopy(gate, r * n, fused, r * 2 * n, n);
        System.arraycopy(up, r * n, fused, r * 2 * n + n, n);
      }
      DeviceBuffer f = bf16(fused);
      DeviceBuffer out = output16(m * n);
      act.siluMul(f, 2 * n, f.view(2L * n, f.bytes() - 2L * n), 2 * n, out, n, m, n);
      return finish(out, m * n);
    } finally {
      release();
    }
  }

  @Override
  public float[] gelu(float[] x, int m, int n) {
    try {
      DeviceBuffer out = output16(m * n);
      act.gelu(bf16(x), n, out, n, m, n);
      return finish(out, m * n);
    } finally {
      release();
    }
  }

  @Override
  public float[] rope(float[] x, int t, int nHeads, int half, float[] cos, float[] sin) {
    try {
      int width = nHeads * 2 * half;
      int ld = width + 256; // e.g. q and k rotated inside a fused qkv row, v left alone
      int ldcs = half + 4; // tables with a row stride of their own
      DeviceBuffer dx = strided(x, t, width, ld);
      rope.apply(
          dx,
          ld,
          t,
          nHeads,
          half,
          f32(pad(cos, t, half, ldcs)),
          f32(pad(sin, t, half, ldcs)),
          ldcs);
      cuda.synchronize();
      return unstride(Bf16.toFloats(dx.downloadShorts(t * ld)), t, width, ld);
    } finally {
      release();
    }
  }

  @Override
  public float[] add(float[] x, float[] y, int m, int n) {
    try {
      int ld = n + 8;
      DeviceBuffer dx = strided(x, m, n, ld);
      act.add(dx, ld, bf16(y), n, m, n);
      cuda.synchronize();
      return unstride(Bf16.toFloats(dx.downloadShorts(m * ld)), m, n, ld);
    } finally {
      release();
    }
  }

  @Override
  public float[] attentionPrefill(
      float[] q,
      float[] k,
      float[] v,
      int[] cu,
      int hq,
      int hkv,
      int d,
      float scale,
      boolean causal) {
    try { // q, k, v as column ranges of one fused qkv matrix
      int t = cu[cu.length - 1];
      int qw = hq * d;
      int kw = hkv * d;
      int ld = qw + 2 * kw;
      float[] fused = new float[t * ld];
      for (int r = 0; r < t; r++) {
        System.arraycopy(q, r * qw, fused, r * ld, qw);
        System.arraycopy(k, r * kw, fused, r * ld + qw, kw);
        System.arraycopy(v, r * kw, fused, r * ld + qw + kw, kw);
      }
      DeviceBuffer f = bf16(fused);
      DeviceBuffer o = output16(t * qw);
      int maxLen = 0;
      for (int s = 0; s + 1 < cu.length; s++) {
        maxLen = Math.max(maxLen, cu[s + 1] - cu[s]);
      }
      attention.prefill(
          f,
          ld,
          f.view(2L * qw, f.bytes() - 2L * qw),
          ld,
          f.view(2L * (qw + kw), f.bytes() - 2L * (qw + kw)),
          ld,
          o,
          qw,
          ints(cu),
          cu.length - 1,
          t,
          maxLen,
          hq,
          hkv,
          d,
          scale,
          causal);
      return finish(o, t * qw);
    } finally {
      release();
    }
  }

  @Override
  public float[] attentionDecode(
      float[] q,
      float[] k,
      float[] v,
      int[] slots,
      int cacheSlots,
      int[] blockTable,
      int maxBlocks,
      int[] seqLens,
      int blockSize,
      int hq,
      int hkv,
      int d,
      float scale,
      int maxSeqLen) {
    try {
      int row = hkv * d;
      int batch = seqLens.length;
      DeviceBuffer kCache = track(cuda.allocate(2L * cacheSlots * row));
      DeviceBuffer vCache = track(cuda.allocate(2L * cacheSlots * row));
      kCache.fill16((short) 0);
      vCache.fill16((short) 0);
      attention.kvAppend(
          bf16(k), row, bf16(v), row, ints(slots), slots.length, kCache, vCache, row);
      DeviceBuffer workspace =
          track(cuda.allocate(AttentionKernels.decodeWorkspaceBytes(batch, hq, d, maxSeqLen)));
      workspace.fill32(POISON_F32);
      DeviceBuffer o = output16(batch * hq * d);
      attention.decode(
          bf16(q),
          hq * d,
          kCache,
          vCache,
          ints(blockTable),
          maxBlocks,
          ints(seqLens),
          batch,
          blockSize,
          hq,
          hkv,
          d,
          scale,
          maxSeqLen,
          workspace,
          o,
          hq * d);
      return finish(o, batch * hq * d);
    } finally {
      release();
    }
  }

  @Override
  public float[] gatherRows(float[] src, int srcRows, int width, int[] idx) {
    try {
      DeviceBuffer out = output16(idx.length * width);
      gather.gatherRows(bf16(src), width, srcRows, ints(idx), idx.length, out, width, width);
      return finish(out, idx.length * width);
    } finally {
      release();
    }
  }

  @Override
  public float[] scatterRows(float[] src, int width, int[] idx, float[] dst, int dstRows) {
    try {
      DeviceBuffer d = bf16(dst);
      gather.scatterRows(bf16(src), width, ints(idx), idx.length, d, width, dstRows, width);
      return finish(d, dstRows * width);
    } finally {
      release();
    }
  }

  @Override
  public float[] gatherCols(float[] src, int rows, int width, int[] perm) {
    try {
      DeviceBuffer out = output16(rows * width);
      gather.gatherCols(bf16(src), width, ints(perm), rows, out, width, width);
      return finish(out, rows * width);
    } finally {
      release();
    }
  }

  @Override
  public float[] prepareLogits(
      float[] logits, int batch, int vocab, int[] seenIds, int idsPerRow, float penalty) {
    try {
      DeviceBuffer seen = track(cuda.allocate(((long) batch * vocab + 3) / 4 * 4));
      seen.fill32(0);
      sampling.markSeen(seen, vocab, ints(seenIds), idsPerRow, batch, vocab);
      DeviceBuffer out = track(cuda.allocate(4L * batch * vocab));
      out.fill32(POISON_F32);
      sampling.prepareLogits(bf16(logits), vocab, out, vocab, seen, vocab, penalty, batch, vocab);
      cuda.synchronize();
      return out.downloadFloats(batch * vocab);
    } finally {
      release();
    }
  }

  @Override
  public int[] argmax(float[] x, int batch, int vocab) {
    try {
      DeviceBuffer ids = ids(batch);
      sampling.argmax(f32(x), vocab, batch, vocab, ids);
      cuda.synchronize();
      return ids.downloadInts(batch);
    } finally {
      release();
    }
  }

  @Override
  public int[] sample(
      float[] x, int batch, int vocab, float temperature, int topK, float topP, long[] state) {
    try {
      DeviceBuffer ids = ids(batch);
      DeviceBuffer rng = track(cuda.allocate(8L * batch)).upload(state);
      sampling.sample(f32(x), vocab, batch, vocab, temperature, topK, topP, rng, ids);
      cuda.synchronize();
      long[] advanced = rng.downloadLongs(batch);
      System.arraycopy(advanced, 0, state, 0, batch);
      return ids.downloadInts(batch);
    } finally {
      release();
    }
  }

  DeviceBuffer bf16(float[] values) {
    return values == null
        ? null
        : track(cuda.allocate(2L * values.length)).upload(Bf16.fromFloats(values));
  }

  DeviceBuffer f32(float[] values) {
    return track(cuda.allocate(4L * values.length)).upload(values);
  }

  DeviceBuffer ints(int[] values) {
    return track(cuda.allocate(4L * values.length)).upload(values);
  }

  /** A bf16 output of n elements, poisoned with NaN. */
  DeviceBuffer output16(int n) {
    DeviceBuffer b = track(cuda.allocate(2L * n));
    b.fill16(Bf16.NAN);
    return b;
  }

  private DeviceBuffer ids(int n) {
    DeviceBuffer b = track(cuda.allocate(4L * n));
    b.fill32(POISON_ID);
    return b;
  }

  /** rows × cols values placed in a [rows][ld] bf16 matrix whose padding columns are NaN. */
  private DeviceBuffer strided(float[] values, int rows, int cols, int ld) {
    return bf16(pad(values, rows, cols, ld));
  }

  /** rows × cols values in a [rows][ld] array whose padding is NaN. */
  private static float[] pad(float[] values, int rows, int cols, int ld) {
    float[] padded = new float[rows * ld];
    java.util.Arrays.fill(padded, Float.NaN);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(values, r * cols, padded, r * ld, cols);
    }
    return padded;
  }

  private static float[] unstride(float[] values, int rows, int cols, int ld) {
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(values, r * ld, out, r * cols, cols);
    }
    return out;
  }

  private float[] finish(DeviceBuffer out, int n) {
    cuda.synchronize();
    return Bf16.toFloats(out.downloadShorts(n));
  }

  DeviceBuffer track(DeviceBuffer b) {
    buffers.add(b);
    return b;
  }

  void release() {
    for (DeviceBuffer b : buffers) {
      b.close();
    }
    buffers.clear();
  }

  @Override
  public void close() {
    release();
  }
}
