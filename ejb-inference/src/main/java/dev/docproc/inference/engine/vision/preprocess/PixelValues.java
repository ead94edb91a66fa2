package dev.docproc.inference.engine.vision.preprocess;

/**
 * One image as the vision encoder takes it: transformers' {@code pixel_values} and {@code
 * image_grid_thw}.
 *
 * <p>Rows are patches in merge-block order: every {@code mergeSize²} consecutive rows are one block
 * of patches that the merger fuses into one LLM token, blocks in raster order. Within a row the
 * index is {@code c·T·P·P + t·P·P + py·P + px} (channel, frame, patch row, patch column).
 *
 * @param data [gridT * gridH * gridW, 3 * T * P * P] float32, row-major (1176 columns for Qwen)
 * @param gridT patches along time (1 for a still image)
 * @param gridH patches down the resized image (resized height / patch size)
 * @param gridW patches across the resized image
 * @param mergeSize side of the patch block merged into one LLM token (2)
 */
public record PixelValues(float[] data, int gridT, int gridH, int gridW, int mergeSize) {

  public PixelValues {
    if (gridH % mergeSize != 0 || gridW % mergeSize != 0) {
      throw new IllegalArgumentException(
          "grid " + gridH + "x" + gridW + " not a multiple of merge");
    }
    if (gridT <= 0 || data.length % (gridT * gridH * gridW) != 0) {
      throw new IllegalArgumentException("data length is not a multiple of the patch count");
    }
  }

  /** Rows of {@link #data}: gridT * gridH * gridW. */
  public int numPatches() {
    return gridT * gridH * gridW;
  }

  /** Columns of {@link #data}: 3 * temporal_patch_size * patch_size². */
  public int patchDim() {
    return data.length / numPatches();
  }

  /** {@code <|image_pad|>} tokens this image takes in the prompt: patches / mergeSize². */
  public int numMergedTokens() {
    return numPatches() / (mergeSize * mergeSize);
  }
}
