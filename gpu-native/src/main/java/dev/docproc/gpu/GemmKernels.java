package dev.docproc.gpu;

/**
 * Linear layers {@code y[M][N] = x[M][K] · Wᵀ + bias}: W4A16 (int4 weights in {@link W4Layout}) and
 * bf16 weights. M ≤ 8 uses the memory-bound GEMV kernels, larger M the tiled tensor-core GEMM.
 */
public final class GemmKernels {
  /** Rows up to which the GEMV path is used (the batch is the n8 dimension of its mma). */
  public static final int GEMV_MAX_ROWS = 8;

  private static final int BM = 64;
  private static final int BN = 128;
  private final CudaContext cuda;

  public GemmKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** W4 weights on the device (see {@link W4Layout}). */
  public static final class W4Weights implements AutoCloseable {
    final int n;
    final int k;
    final int groupSize;
    final DeviceBuffer qw;
    final DeviceBuffer scales;
    final DeviceBuffer perm;

    private W4Weights(W4Layout w, DeviceBuffer qw, DeviceBuffer scales, DeviceBuffer perm) {
      this.n = w.n();
      this.k = w.k();
      this.groupSize = w.groupSize();
      this.qw = qw;
      this.scales = scales;
      this.perm = perm;
    }

    public static W4Weights upload(CudaContext cuda, W4Layout w) {
      DeviceBuffer qw = cuda.allocate(4L * w.qw().length).upload(w.qw());
      DeviceBuffer scales = cuda.allocate(2L * w.scales().length).upload(w.scales());
      DeviceBuffer perm = w.perm() == null ? null : cuda.allocate(4L * w.k()).upload(w.perm());
      return new W4Weights(w, qw, scales, perm);
    }

    public int outFeatures() {
      return n;
    }

    public int inFeatures() {
      return k;
    }

    /** Act-order weights need x's columns permuted first, into a [M][K] bf16 workspace. */
    public boolean permutesInput() {
      return perm != null;
    }

    @Override
    public void close() {
      qw.close();
      scales.close();
      if (perm != null) {
        perm.close();
      }
    }
  }

  /**
   * @param bias [N] bf16 or null
   * @param workspace [m][K] bf16 when {@link W4Weights#permutesInput()}, else ignored (may be null)
   */
  public void w4a16(
      DeviceBuffer x,
      int ldx,
      W4Weights w,
      DeviceBuffer bias,
      DeviceBuffer y,
      int ldy,
      int m,
      DeviceBuffer workspace) {
    Require.positive(m, "rows");
    Require.matrix(x, m, w.k, ldx, 2, "x");
    Require.vectorRows(x, ldx, 2, "x");
    requireOutput(y, ldy, bias, m, w.n);
    if (w.perm != null) {
      Require.matrix(workspace, m, w.k, w.k, 2, "act-order workspace");
      Require.aligned(workspace, 16, "act-order workspace");
      cuda.launch(
          "gather_cols",
          new int[] {(w.k + 255) / 256, m},
          256,
          0,
          x,
          ldx,
          w.perm,
          workspace,
          w.k,
          w.k);
      x = workspace;
      ldx = w.k;
    }
    if (m <= GEMV_MAX_ROWS) {
      cuda.launch(
          "w4a16_gemv",
          new int[] {w.n / 16},
          256,
          0,
          x,
          ldx,
          w.qw,
          w.scales,
          bias,
          y,
          ldy,
          m,
          w.n,
          w.k,
          w.groupSize);
    } else {
      cuda.launch(
          "w4a16_gemm",
          new int[] {(w.n + BN - 1) / BN, (m + BM - 1) / BM},
          128,
          0,
          x,
          ldx,
          w.qw,
          w.scales,
          bias,
          y,
          ldy,
          m,
          w.n,
          w.k,
          w.groupSize);
    }
  }

  /**
   * bf16 weights w [N][K] with row stride ldw. Any K; ldx and ldw multiples of 8, N even.
   *
   * @param bias [N] bf16 or null
   */
  public void bf16(
      DeviceBuffer x,
      int ldx,
      DeviceBuffer w,
      int ldw,
      DeviceBuffer bias,
      DeviceBuffer y,
      int ldy,
      int m,
      int n,
      int k) {
    Require.positive(m, "rows");
    Require.positive(n, "out features");
    Require.positive(k, "in features");
    Require.multiple(n, 2, "out features");
    Require.matrix(x, m, k, ldx, 2, "x");
    Require.vectorRows(x, ldx, 2, "x");
    Require.matrix(w, n, k, ldw, 2, "w");
    Require.vectorRows(w, ldw, 2, "w");
    requireOutput(y, ldy, bias, m, n);
    if (m <= GEMV_MAX_ROWS) {
      Require.multiple(k, 8, "in features (GEMV path)");
      cuda.launch(
          "bf16_gemv", new int[] {(n + 15) / 16}, 256, 0, x, ldx, w, ldw, bias, y, ldy, m, n, k);
    } else {
      cuda.launch(
          "bf16_gemm",
          new int[] {(n + BN - 1) / BN, (m + BM - 1) / BM},
          128,
          0,
          x,
          ldx,
          w,
          ldw,
          bias,
          y,
          ldy,
          m,
          n,
          k);
    }
  }

  /** y [m][n] written as bf16 pairs; bias [n] optional. */
  private static void requireOutput(DeviceBuffer y, int ldy, DeviceBuffer bias, int m, int n) {
    Require.matrix(y, m, n, ldy, 2, "y");
    Require.multiple(ldy, 2, "y row stride");
    Require.aligned(y, 4, "y");
    if (bias != null) {
      Require.matrix(bias, 1, n, n, 2, "bias");
    }
  }
}
