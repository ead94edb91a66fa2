package dev.docproc.inference.engine.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * Host-side index arithmetic of the vision tower (MODEL.md §4 steps 2–5): the 2-D rotary angles of
 * each patch, the window permutation of merged tokens and the attention segments. All in the order
 * of pixel_values rows: per image, per 2×2 merge block in raster order, its four patches.
 */
public final class VisionGeometry {
  private VisionGeometry() {}

  /**
   * cos/sin [patches, headDim/2] in pixel_values row order: the first half of each row rotates by
   * the patch's row, the second by its column, frequencies 1/10000^(2j/(headDim/2)).
   */
  static float[][] rotary(List<Grid> grids, int headDim) {
    int dim = headDim / 2; // 40: 20 row angles then 20 column angles
    int nFreq = dim / 2;
    float[] invFreq = new float[nFreq];
    for (int j = 0; j < nFreq; j++) {
      invFreq[j] = 1f / (float) Math.pow(10000.0, (float) (2 * j) / dim);
    }
    int total = 0;
    for (Grid g : grids) {
      total += g.patches();
    }
    float[] cos = new float[total * dim];
    float[] sin = new float[total * dim];
    int n = 0;
    for (Grid g : grids) {
      for (int t = 0; t < g.t(); t++) {
        for (int bh = 0; bh < g.h() / 2; bh++) {
          for (int bw = 0; bw < g.w() / 2; bw++) {
            for (int mh = 0; mh < 2; mh++) {
              for (int mw = 0; mw < 2; mw++, n++) {
                int row = 2 * bh + mh;
                int col = 2 * bw + mw;
                for (int j = 0; j < nFreq; j++) {
                  float a = row * invFreq[j];
                  float b = col * invFreq[j];
                  cos[n * dim + j] = (float) Math.cos(a);
                  sin[n * dim + j] = (float) Math.sin(a);
                  cos[n * dim + nFreq + j] = (float) Math.cos(b);
                  sin[n * dim + nFreq + j] = (float) Math.sin(b);
                }
              }
            }
          }
        }
      }
    }
    return new float[][] {cos, sin};
  }

  /** The window permutation of merged tokens and the window segments in patch rows. */
  public record Windows(int[] index, int[] segments) {}

  /**
   * {@code get_window_index}: merged tokens grouped into windows of {@code v × v} (v = window /
   * merge / patch = 4) in raster order of windows, raster order inside; segments are the cumulative
   * patch counts of non-empty windows.
   */
  public static Windows windows(List<Grid> grids, int windowSize, int mergeSize, int patchSize) {
    int v = windowSize / mergeSize / patchSize;
    List<Integer> index = new ArrayList<>();
    List<Integer> segments = new ArrayList<>(List.of(0));
    int offset = 0;
    int unit = mergeSize * mergeSize;
    for (Grid g : grids) {
      int lh = g.h() / mergeSize;
      int lw = g.w() / mergeSize;
      // HF pads by v - lh % v, a whole empty window row when lh % v == 0; empty windows vanish
      int nh = (lh + v - lh % v) / v;
      int nw = (lw + v - lw % v) / v;
      for (int t = 0; t < g.t(); t++) {
        for (int wh = 0; wh < nh; wh++) {
          for (int ww = 0; ww < nw; ww++) {
            int count = 0;
            for (int r = wh * v; r < Math.min(lh, (wh + 1) * v); r++) {
              for (int c = ww * v; c < Math.min(lw, (ww + 1) * v); c++) {
                index.add(offset + t * lh * lw + r * lw + c);
                count++;
              }
            }
            if (count > 0) {
              segments.add(segments.getLast() + count * unit);
            }
          }
        }
      }
      offset += g.t() * lh * lw;
    }
    return new Windows(
        index.stream().mapToInt(Integer::intValue).toArray(),
        segments.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Full-attention segments: one per frame of each image, in patch rows. */
  static int[] frames(List<Grid> grids) {
    List<Integer> seg = new ArrayList<>(List.of(0));
    for (Grid g : grids) {
      for (int t = 0; t < g.t(); t++) {
        seg.add(seg.getLast() + g.h() * g.w());
      }
    }
    return seg.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Row indices of patches when merged tokens are taken in {@code tokenOrder}. */
  static int[] expand(int[] tokenOrder, int unit) {
    int[] rows = new int[tokenOrder.length * unit];
    for (int i = 0; i < tokenOrder.length; i++) {
      for (int u = 0; u < unit; u++) {
        rows[i * unit + u] = tokenOrder[i] * unit + u;
      }
    }
    return rows;
  }

  static int[] inverse(int[] permutation) {
    int[] inv = new int[permutation.length];
    for (int i = 0; i < permutation.length; i++) {
      inv[permutation[i]] = i;
    }
    return inv;
  }

  /** rows of a host table [n, cols] taken in {@code order}. */
  static float[] permuteRows(float[] table, int cols, int[] order) {
    float[] out = new float[table.length];
    for (int i = 0; i < order.length; i++) {
      System.arraycopy(table, order[i] * cols, out, i * cols, cols);
    }
    return out;
  }
}
