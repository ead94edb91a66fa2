package dev.docproc.gpu;

/** Elementwise activations on [M][n] bf16 matrices with row strides. */
public final class ActivationKernels {
  /** The largest grid y extent: more rows are strided over (see activation.cu). */
  private static final int MAX_GRID_Y = 65535;

  private final CudaContext cuda;

  public ActivationKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** {@code out = bf16(bf16(silu(gate)) · up)}; out may alias gate or up. */
  public void siluMul(
      DeviceBuffer gate,
      int ldg,
      DeviceBuffer up,
      int ldu,
      DeviceBuffer out,
      int ldo,
      int m,
      int n) {
    Require.positive(m, "rows");
    Require.positive(n, "columns");
    Require.matrix(gate, m, n, ldg, 2, "gate");
    Require.matrix(up, m, n, ldu, 2, "up");
    Require.matrix(out, m, n, ldo, 2, "out");
    cuda.launch("silu_mul", grid(m, n), 256, 0, gate, ldg, up, ldu, out, ldo, n, m);
  }

  /** {@code x = bf16(x + y)} over [m][n] (the residual add); x must not alias y. */
  public void add(DeviceBuffer x, int ldx, DeviceBuffer y, int ldy, int m, int n) {
    Require.positive(m, "rows");
    Require.positive(n, "columns");
    Require.matrix(x, m, n, ldx, 2, "x");
    Require.matrix(y, m, n, ldy, 2, "y");
    cuda.launch("add_rows", grid(m, n), 256, 0, x, ldx, y, ldy, n, m);
  }

  /** Exact (erf) GELU; out may alias x. */
  public void gelu(DeviceBuffer x, int ldx, DeviceBuffer out, int ldo, int m, int n) {
    Require.positive(m, "rows");
    Require.positive(n, "columns");
    Require.matrix(x, m, n, ldx, 2, "x");
    Require.matrix(out, m, n, ldo, 2, "out");
    cuda.launch("gelu", grid(m, n), 256, 0, x, ldx, out, ldo, n, m);
  }

  private static int[] grid(int m, int n) {
    return new int[] {(n + 255) / 256, Math.min(m, MAX_GRID_Y)};
  }
}
