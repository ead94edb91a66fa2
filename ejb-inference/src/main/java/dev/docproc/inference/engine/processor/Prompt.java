package dev.docproc.inference.engine.processor;

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
}
