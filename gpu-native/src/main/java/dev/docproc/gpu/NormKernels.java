package dev.docproc.gpu;

/** RMSNorm and residual-add + RMSNorm over rows of H (H % 8 == 0), one block per row. */
public final class NormKernels {
  private final CudaContext cuda;

  public NormKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** {@code out = rmsnorm(x) · w}; out may alias x. */
  public void rmsNorm(
      DeviceBuffer x, int ldx, DeviceBuffer w, DeviceBuffer out, int ldo, int m, int h, float eps) {
    check(x, ldx, w, out, ldo, m, h);
    cuda.launch("rmsnorm", new int[] {m}, 256, 0, x, ldx, w, out, ldo, h, eps);
  }

  /** {@code x ← bf16(x + y)}, then {@code out = rmsnorm(x) · w}; out must not alias x or y. */
  public void addRmsNorm(
      DeviceBuffer x,
      int ldx,
      DeviceBuffer y,
      int ldy,
      DeviceBuffer w,
      DeviceBuffer out,
      int ldo,
      int m,
      int h,
      float eps) {
    check(x, ldx, w, out, ldo, m, h);
    Require.matrix(y, m, h, ldy, 2, "y");
    Require.vectorRows(y, ldy, 2, "y");
    cuda.launch("add_rmsnorm", new int[] {m}, 256, 0, x, ldx, y, ldy, w, out, ldo, h, eps);
  }

  private static void check(
      DeviceBuffer x, int ldx, DeviceBuffer w, DeviceBuffer out, int ldo, int m, int h) {
    Require.positive(m, "rows");
    Require.positive(h, "hidden size");
    Require.multiple(h, 8, "hidden size");
    Require.matrix(x, m, h, ldx, 2, "x");
    Require.vectorRows(x, ldx, 2, "x");
    Require.matrix(w, 1, h, h, 2, "weight");
    Require.aligned(w, 16, "weight");
    Require.matrix(out, m, h, ldo, 2, "out");
    Require.vectorRows(out, ldo, 2, "out");
  }
}
