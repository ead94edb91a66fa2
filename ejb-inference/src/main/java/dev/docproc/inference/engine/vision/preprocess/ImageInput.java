package dev.docproc.inference.engine.vision.preprocess;

import java.awt.image.BufferedImage;

/** An image for the model: encoded file bytes (PNG/JPEG/TIFF) or pixels already in memory. */
public sealed interface ImageInput {

  /** The bytes of a PNG, JPEG or TIFF file. */
  record Encoded(byte[] bytes) implements ImageInput {}

  /** Decoded pixels, e.g. a page PDFBox rendered. */
  record Decoded(BufferedImage image) implements ImageInput {}

  static ImageInput of(byte[] encoded) {
    return new Encoded(encoded);
  }

  static ImageInput of(BufferedImage image) {
    return new Decoded(image);
  }
}
