package dev.docproc.domain.render;

/**
 * How large a page is rendered: as large as its source allows, shrunk to fit the model's pixel
 * budget, never enlarged.
 *
 * <p>The source size of an image is its pixel size; a PDF page (vector, sized in points of 1/72
 * inch) counts at {@code maxDpi}. The target keeps the aspect ratio, scaled by {@code min(1,
 * sqrt(budget / sourcePixels))}, and each side is then floored to a multiple of {@value
 * #PATCH_GRID}, the model's patch grid (14-pixel patches merged 2 × 2). Qwen2-VL's {@code
 * smart_resize} leaves such an image as it is instead of resampling it a second time. A side
 * shorter than the grid is kept (flooring it would leave nothing, enlarging it would invent
 * pixels).
 *
 * @param pixelBudget most pixels (width × height) of a rendered page, the model's max_pixels
 * @param maxDpi the resolution that stands for a PDF page's source resolution
 */
public record RenderPolicy(long pixelBudget, int maxDpi) {

  /** The model's patch grid: 14-pixel patches merged 2 × 2. */
  public static final int PATCH_GRID = 28;

  private static final double POINTS_PER_INCH = 72.0;

  public RenderPolicy {
    if (pixelBudget < (long) PATCH_GRID * PATCH_GRID) {
      throw new IllegalArgumentException(
          "docproc.render.pixel-budget must be >= " + PATCH_GRID * PATCH_GRID);
    }
    if (maxDpi < 1 || maxDpi > 2400) {
      throw new IllegalArgumentException("docproc.render.max-dpi must be in 1..2400");
    }
  }

  /** A size in whole pixels. */
  public record PixelSize(int width, int height) {
    public long pixels() {
      return (long) width * height;
    }
  }

  /** The size of a PDF page (width and height in points, as displayed) at {@code maxDpi}. */
  public PixelSize sourceSizeOfPage(float widthPoints, float heightPoints) {
    return new PixelSize(
        Math.max(1, (int) Math.ceil(widthPoints * maxDpi / POINTS_PER_INCH)),
        Math.max(1, (int) Math.ceil(heightPoints * maxDpi / POINTS_PER_INCH)));
  }

  /** The rendered size of a source of {@code source} pixels. */
  public PixelSize target(PixelSize source) {
    double scale = Math.min(1.0, Math.sqrt((double) pixelBudget / source.pixels()));
    int width = Math.max(1, (int) Math.floor(source.width() * scale));
    int height = Math.max(1, (int) Math.floor(source.height() * scale));
    PixelSize aligned = new PixelSize(alignDown(width), alignDown(height));
    return aligned.pixels() <= pixelBudget ? aligned : clampLongSide(aligned);
  }

  /**
   * A side kept at one pixel can leave a sliver (say 1 × 3,000,000) over the budget; only absurd
   * aspect ratios get here, and the long side is cut to fit.
   */
  private PixelSize clampLongSide(PixelSize size) {
    if (size.width() <= size.height()) {
      return new PixelSize(size.width(), alignDown((int) (pixelBudget / size.width())));
    }
    return new PixelSize(alignDown((int) (pixelBudget / size.height())), size.height());
  }

  private static int alignDown(int side) {
    return side < PATCH_GRID ? side : side - side % PATCH_GRID;
  }
}
