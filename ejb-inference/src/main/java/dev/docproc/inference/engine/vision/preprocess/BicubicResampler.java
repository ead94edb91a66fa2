package dev.docproc.inference.engine.vision.preprocess;

import java.util.Arrays;

/**
 * Pillow 12.3's {@code Image.resize(size, BICUBIC)} for 8-bit RGB, bit for bit ({@code
 * src/libImaging/Resample.c}, release 12.3.0, the version tools/reference pins).
 *
 * <p>Separable: a horizontal pass over only the source rows the vertical pass will read, stored as
 * uint8, then a vertical pass; a pass whose size does not change is skipped. Each output sample is
 * a window of source samples weighted by the bicubic kernel (a = -0.5) stretched by the downscale
 * factor (antialiasing), the weights normalised to sum 1 in double, then turned into 22-bit fixed
 * point and accumulated in int32 with a rounding bias.
 *
 * <p>Other Pillow versions differ in the last bit for some sizes: before 12.3 the kernel argument
 * was divided by the filter scale instead of multiplied by its inverse; from 13.0 the vertical pass
 * runs first when the height shrinks by more than twice what the width does.
 */
final class BicubicResampler {

  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double SUPPORT = 2.0;

  /** Fixed-point weights for one axis. */
  private record Coefficients(
      int[] bounds /* [out, 2]: xmin, count */, int[] k /* [out, ksize] */, int ksize) {}

  private BicubicResampler() {}

  static RgbImage resize(RgbImage in, int outWidth, int outHeight) {
    if (outWidth == in.width() && outHeight == in.height()) {
      return in; // PIL returns a copy; the data are the same
    }
    Coefficients vertical = coefficients(in.height(), outHeight);
    RgbImage image = in;
    int rowOffset = 0;
    if (outWidth != in.width()) {
      // Only the source rows the vertical pass reads: [first, last).
      int first = vertical.bounds[0];
      int last = vertical.bounds[(outHeight - 1) * 2] + vertical.bounds[(outHeight - 1) * 2 + 1];
      image = horizontal(in, coefficients(in.width(), outWidth), first, last);
      rowOffset = first;
    }
    return outHeight != in.height() ? vertical(image, vertical, rowOffset) : image;
  }

  // precompute_coeffs + normalize_coeffs_8bpc.
  private static Coefficients coefficients(int inSize, int outSize) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = SUPPORT * filterScale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] bounds = new int[outSize * 2];
    int[] k = new int[outSize * ksize];
    double[] w = new double[ksize];
    double invFilterScale = 1.0 / filterScale;
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double sum = 0.0;
      for (int x = 0; x < xmax; x++) {
        w[x] = bicubic((x + xmin - center + 0.5) * invFilterScale);
        sum += w[x];
      }
      for (int x = 0; x < xmax; x++) {
        double v = sum != 0.0 ? w[x] / sum : w[x];
        v *= 1 << PRECISION_BITS;
        k[xx * ksize + x] = (int) (v < 0 ? v - 0.5 : v + 0.5);
      }
      bounds[xx * 2] = xmin;
      bounds[xx * 2 + 1] = xmax;
    }
    return new Coefficients(bounds, k, ksize);
  }

  private static double bicubic(double x) {
    final double a = -0.5;
    x = Math.abs(x);
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  // Source rows [firstRow, lastRow) resampled to c.bounds.length/2 columns.
  private static RgbImage horizontal(RgbImage in, Coefficients c, int firstRow, int lastRow) {
    int outWidth = c.bounds.length / 2;
    int rows = lastRow - firstRow;
    byte[] src = in.rgb();
    byte[] out = new byte[outWidth * rows * 3]; // [rows, outWidth, 3]
    int inStride = in.width() * 3;
    for (int y = 0; y < rows; y++) {
      int rowStart = (y + firstRow) * inStride;
      for (int xx = 0; xx < outWidth; xx++) {
        int xmin = c.bounds[xx * 2];
        int count = c.bounds[xx * 2 + 1];
        int kBase = xx * c.ksize;
        int s0 = 1 << (PRECISION_BITS - 1);
        int s1 = s0;
        int s2 = s0;
        for (int x = 0, p = rowStart + xmin * 3; x < count; x++, p += 3) {
          int kx = c.k[kBase + x];
          s0 += (src[p] & 0xFF) * kx;
          s1 += (src[p + 1] & 0xFF) * kx;
          s2 += (src[p + 2] & 0xFF) * kx;
        }
        int o = (y * outWidth + xx) * 3;
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      }
    }
    return new RgbImage(outWidth, rows, out);
  }

  // Rows of {@code in} start at source row {@code rowOffset}; output has c.bounds.length/2 rows.
  private static RgbImage vertical(RgbImage in, Coefficients c, int rowOffset) {
    int outHeight = c.bounds.length / 2;
    int stride = in.width() * 3;
    byte[] src = in.rgb();
    byte[] out = new byte[outHeight * stride]; // [outHeight, width, 3]
    int[] acc = new int[stride];
    for (int yy = 0; yy < outHeight; yy++) {
      int ymin = c.bounds[yy * 2] - rowOffset;
      int count = c.bounds[yy * 2 + 1];
      int kBase = yy * c.ksize;
      Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
      for (int y = 0; y < count; y++) {
        int ky = c.k[kBase + y];
        int rowStart = (ymin + y) * stride;
        for (int i = 0; i < stride; i++) {
          acc[i] += (src[rowStart + i] & 0xFF) * ky;
        }
      }
      int o = yy * stride;
      for (int i = 0; i < stride; i++) {
        out[o + i] = clip8(acc[i]);
      }
    }
    return new RgbImage(in.width(), outHeight, out);
  }

  private static byte clip8(int accumulated) {
    return (byte) Math.clamp(accumulated >> PRECISION_BITS, 0, 255);
  }
}
