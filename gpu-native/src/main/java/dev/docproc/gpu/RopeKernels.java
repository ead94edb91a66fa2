package dev.docproc.gpu;

/** Rotate-half RoPE in place on consecutive heads of each row, driven by a {@link RotaryTable}. */
public final class RopeKernels {
  private final CudaContext cuda;

  public RopeKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** A rotary table on the device (upload once per model). */
  public static final class DeviceTable implements AutoCloseable {
    final RotaryTable table;
    final DeviceBuffer row;
    final DeviceBuffer freq;

    public DeviceTable(CudaContext cuda, RotaryTable table) {
      this.table = table;
      this.row = cuda.allocate(4L * table.half()).upload(table.row());
      this.freq = cuda.allocate(4L * table.half()).upload(table.freq());
    }

    @Override
    public void close() {
      row.close();
      freq.close();
    }
  }

  /**
   * Rotates heads 0..nHeads-1 (each 2·half wide, starting at column 0 of x) of t rows.
   *
   * @param positions int32 [table rows][t]
   * @param bf16Math every op rounded to bf16 (text M-RoPE) instead of fp32 (vision)
   */
  public void apply(
      DeviceBuffer x,
      int ld,
      int t,
      int nHeads,
      DeviceBuffer positions,
      DeviceTable table,
      boolean bf16Math) {
    Require.positive(t, "tokens");
    Require.positive(nHeads, "heads");
    int half = table.table.half();
    Require.matrix(x, t, nHeads * 2 * half, ld, 2, "x");
    Require.matrix(positions, table.table.rows(), t, t, 4, "positions");
    int block = Math.min(1024, (nHeads * half + 31) / 32 * 32);
    cuda.launch(
        bf16Math ? "rope_bf16" : "rope_f32",
        new int[] {t},
        block,
        0,
        x,
        ld,
        nHeads,
        half,
        positions,
        t,
        table.freq,
        table.row);
  }
}
