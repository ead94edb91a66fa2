package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.vision.Grid;
import java.util.List;

/**
 * Multimodal rotary positions (MODEL.md §5.3–5.4): every token has a (t, h, w) position; text
 * advances all three together, an image's tokens take (start, start + row, start + col), and the
 * text after an image resumes past the largest position used.
 */
public final class MRope {
  private final float[] invFreq; // [headDim/2]
  private final int[] section; // [3] frequencies taken from t, h, w

  public MRope(int headDim, double theta, int[] section) {
    this.invFreq = new float[headDim / 2];
    for (int j = 0; j < invFreq.length; j++) {
      invFreq[j] = 1f / (float) Math.pow(theta, (float) (2 * j) / headDim);
    }
    this.section = section.clone();
  }

  /**
   * Positions [3][ids.length] of a prompt whose image tokens (runs of {@code imageTokenId}, one run
   * of {@link Grid#tokens()} per grid, in order) are laid out on their grids.
   *
   * @return {t, h, w} rows; {@link #ropeDelta} gives the offset for generated tokens
   */
  public static int[][] positions(int[] ids, List<Grid> grids, int imageTokenId, int mergeSize) {
    int n = ids.length;
    int[][] pos = new int[3][n];
    int next = 0; // max position so far + 1
    int i = 0;
    int image = 0;
    while (i < n) {
      if (ids[i] != imageTokenId) {
        for (int r = 0; r < 3; r++) {
          pos[r][i] = next;
        }
        next++;
        i++;
        continue;
      }
      if (image >= grids.size()) {
        throw new IllegalArgumentException(
            "the prompt has more image tokens than the " + grids.size() + " image grid(s) give");
      }
      Grid g = grids.get(image++);
      int gh = g.h() / mergeSize;
      int gw = g.w() / mergeSize;
      int count = g.t() * gh * gw;
      if (i + count > n) {
        throw new IllegalArgumentException(
            "image " + image + " needs " + count + " image tokens but the prompt has fewer");
      }
      int max = next;
      for (int t = 0; t < g.t(); t++) {
        for (int r = 0; r < gh; r++) {
          for (int c = 0; c < gw; c++, i++) {
            if (ids[i] != imageTokenId) {
              throw new IllegalArgumentException(
                  "image " + image + " needs " + count + " consecutive image tokens");
            }
            pos[0][i] = next; // images: temporal index t·second_per_grid·fps = 0
            pos[1][i] = next + r;
            pos[2][i] = next + c;
            max = Math.max(max, Math.max(next + r, next + c));
          }
        }
      }
      next = max + 1;
    }
    if (image != grids.size()) {
      throw new IllegalArgumentException(
          "the prompt has image tokens for " + image + " of " + grids.size() + " images");
    }
    return pos;
  }

  /** max(positions) + 1 − length: generated token at index p sits at p + ropeDelta. */
  public static int ropeDelta(int[][] pos) {
    int n = pos[0].length;
    int max = -1;
    for (int[] row : pos) {
      for (int p : row) {
        max = Math.max(max, p);
      }
    }
    return max + 1 - n;
  }

  /**
   * cos/sin [n, headDim/2] for positions {t, h, w} of n tokens: frequency j uses the t position for
   * j < s0, h for j < s0+s1, else w.
   */
  public float[][] tables(int[][] pos, int from, int n) {
    int half = invFreq.length;
    float[] cos = new float[n * half];
    float[] sin = new float[n * half];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < half; j++) {
        int axis = j < section[0] ? 0 : j < section[0] + section[1] ? 1 : 2;
        float a = (float) pos[axis][from + i] * invFreq[j];
        cos[i * half + j] = (float) Math.cos(a);
        sin[i * half + j] = (float) Math.sin(a);
      }
    }
    return new float[][] {cos, sin};
  }
}
