package dev.docproc.inference.engine.vision.preprocess;

/**
 * An 8-bit RGB image, row-major and interleaved, as numpy holds {@code np.array(pil_rgb_image)}.
 *
 * @param rgb [height, width, 3] samples, unsigned bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {

  public RgbImage {
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "rgb has " + rgb.length + " bytes, expected " + width + "*" + height + "*3");
    }
  }

  /** Sample of channel {@code c} at ({@code x}, {@code y}), 0..255. */
  public int sample(int x, int y, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xFF;
  }
}
