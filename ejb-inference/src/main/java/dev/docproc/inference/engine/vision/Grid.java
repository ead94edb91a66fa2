package dev.docproc.inference.engine.vision;

/**
 * One image's patch grid, as {@code image_grid_thw}: t frames (1 for an image) of h × w patches of
 * 14 pixels; the decoder sees t·(h/2)·(w/2) merged tokens.
 */
public record Grid(int t, int h, int w) {
  public Grid {
    if (t < 1 || h < 2 || w < 2 || h % 2 != 0 || w % 2 != 0) {
      throw new IllegalArgumentException(
          "image grid (t=" + t + ", h=" + h + ", w=" + w + "): h and w must be even and ≥ 2");
    }
  }

  public int patches() {
    return t * h * w;
  }

  /** Merged tokens this image contributes to the prompt (patches / 4). */
  public int tokens() {
    return t * (h / 2) * (w / 2);
  }
}
