package dev.docproc.gpu;

/**
 * Rotate-half RoPE in place on consecutive heads of each row, from per-row fp32 cos/sin tables (the
 * caller builds them: M-RoPE for text, row/column angles for vision).
 */
public final class RopeKernels {
  private final CudaContext cuda;

  public RopeKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /**
   * Rotates heads 0..nHeads-1 (each 2·half wide, starting at column 0 of x) of t rows.
   *
   * @param cos fp32 [t][ldcs], angle j of row i at i·ldcs + j (j < half)
   * @param sin fp32 [t][ldcs]
   */
  public void apply(
      DeviceBuffer x,
      int ld,
      int t,
      int nHeads,
      int half,
      DeviceBuffer cos,
      DeviceBuffer sin,
      int ldcs) {
    Require.positive(t, "tokens");
    Require.positive(nHeads, "heads");
    Require.positive(half, "half head dim");
    Require.matrix(x, t, nHeads * 2 * half, ld, 2, "x");
    Require.matrix(cos, t, half, ldcs, 4, "cos");
    Require.matrix(sin, t, half, ldcs, 4, "sin");
    int block = Math.min(1024, (nHeads * half + 31) / 32 * 32);
    cuda.launch("rope", new int[] {t}, block, 0, x, ld, nHeads, half, cos, sin, ldcs);
  }
}
