package dev.docproc.inference.engine.processor;

import dev.docproc.inference.engine.vision.Grid;
import dev.docproc.inference.engine.vision.preprocess.PixelValues;
import java.util.List;

/**
 * A conversation ready for the model: what transformers' processor returns.
 *
 * @param text the rendered chat template, each image still one {@code <|image_pad|>}
 * @param inputIds token ids with each {@code <|image_pad|>} repeated once per merged patch
 * @param images pixel values of the images, in the order of their pads in {@code inputIds}
 */
public record Prompt(String text, int[] inputIds, List<PixelValues> images) {

  public Prompt {
    images = List.copyOf(images);
  }

  /** The patch grid of each image, as {@code image_grid_thw}. */
  public List<Grid> grids() {
    return images.stream().map(p -> new Grid(p.gridT(), p.gridH(), p.gridW())).toList();
  }

  /** All images' pixel values one after the other, [patches of all images, 1176]. */
  public float[] pixelValues() {
    int total = 0;
    for (PixelValues p : images) {
      total += p.data().length;
    }
    float[] pixels = new float[total];
    int at = 0;
    for (PixelValues p : images) {
      System.arraycopy(p.data(), 0, pixels, at, p.data().length);
      at += p.data().length;
    }
    return pixels;
  }
}
