package dev.docproc.gpu;

/** Row gathers/scatters (embedding lookup, window reorder, image features) and column gathers. */
public final class GatherKernels {
  private final CudaContext cuda;

  public GatherKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** {@code dst[i] = src[idx[i]]} for i < n; an out-of-range index writes a NaN row. */
  public void gatherRows(
      DeviceBuffer src,
      int lds,
      int srcRows,
      DeviceBuffer idx,
      int n,
      DeviceBuffer dst,
      int ldd,
      int width) {
    Require.positive(n, "rows");
    Require.multiple(width, 8, "row width");
    Require.matrix(src, srcRows, width, lds, 2, "src");
    Require.vectorRows(src, lds, 2, "src");
    Require.matrix(idx, 1, n, n, 4, "indices");
    Require.matrix(dst, n, width, ldd, 2, "dst");
    Require.vectorRows(dst, ldd, 2, "dst");
    cuda.launch("gather_rows", new int[] {n}, 128, 0, src, lds, srcRows, idx, dst, ldd, width);
  }

  /** {@code dst[idx[i]] = src[i]} for i < n; out-of-range indices are skipped. */
  public void scatterRows(
      DeviceBuffer src,
      int lds,
      DeviceBuffer idx,
      int n,
      DeviceBuffer dst,
      int ldd,
      int dstRows,
      int width) {
    Require.positive(n, "rows");
    Require.multiple(width, 8, "row width");
    Require.matrix(src, n, width, lds, 2, "src");
    Require.vectorRows(src, lds, 2, "src");
    Require.matrix(idx, 1, n, n, 4, "indices");
    Require.matrix(dst, dstRows, width, ldd, 2, "dst");
    Require.vectorRows(dst, ldd, 2, "dst");
    cuda.launch("scatter_rows", new int[] {n}, 128, 0, src, lds, idx, dst, ldd, dstRows, width);
  }

  /** {@code dst[r][j] = src[r][perm[j]]}; perm entries must lie in [0, width). */
  public void gatherCols(
      DeviceBuffer src,
      int lds,
      DeviceBuffer perm,
      int rows,
      DeviceBuffer dst,
      int ldd,
      int width) {
    Require.positive(rows, "rows");
    Require.positive(width, "width");
    Require.matrix(src, rows, width, lds, 2, "src");
    Require.matrix(perm, 1, width, width, 4, "perm");
    Require.matrix(dst, rows, width, ldd, 2, "dst");
    cuda.launch(
        "gather_cols",
        new int[] {(width + 255) / 256, rows},
        256,
        0,
        src,
        lds,
        perm,
        dst,
        ldd,
        width);
  }
}
