package dev.docproc.gpu.reference;

/** Row gathers/scatters and column gathers on row-major [rows][width] matrices. */
public final class GatherRef {
  private GatherRef() {}

  /** {@code dst[i] = src[idx[i]]}; an index outside [0, srcRows) gives a NaN row. */
  public static float[] gatherRows(float[] src, int srcRows, int width, int[] idx) {
    float[] dst = new float[idx.length * width];
    for (int i = 0; i < idx.length; i++) {
      int r = idx[i];
      for (int c = 0; c < width; c++) {
        dst[i * width + c] = r >= 0 && r < srcRows ? src[r * width + c] : Float.NaN;
      }
    }
    return dst;
  }

  /** {@code dst[idx[i]] = src[i]} in place; indices outside [0, dstRows) are skipped. */
  public static void scatterRows(float[] src, int width, int[] idx, float[] dst, int dstRows) {
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] >= 0 && idx[i] < dstRows) {
        System.arraycopy(src, i * width, dst, idx[i] * width, width);
      }
    }
  }

  /** {@code dst[r][j] = src[r][perm[j]]}. */
  public static float[] gatherCols(float[] src, int rows, int width, int[] perm) {
    float[] dst = new float[rows * width];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < width; j++) {
        dst[r * width + j] = src[r * width + perm[j]];
      }
    }
    return dst;
  }
}
