package dev.docproc.inference.engine.vision.preprocess;

import dev.docproc.inference.engine.vision.preprocess.InvalidImageException.Reason;
import java.awt.image.BufferedImage;

/**
 * Image → {@link PixelValues}, equal to transformers 5.14's {@code Qwen2VLImageProcessorPil} (the
 * PIL backend; {@code AutoProcessor.from_pretrained(dir, use_fast=False)}) applied to {@code
 * PIL.Image.open(file)}: bit-identical pixel_values for lossless inputs.
 *
 * <p>Steps: RGB as PIL's {@code convert("RGB")} ({@link ImageDecoder}); {@link #smartResize};
 * Pillow's fixed-point bicubic resize ({@link BicubicResampler}); rescale {@code
 * f32(f64(u8)·rescale_factor)}; normalize {@code f32(f32(x - mean) / std)}; patchify with the image
 * repeated over the temporal patch.
 *
 * <p>Deliberate difference: images with a side below {@code patch_size·merge_size} (28) are
 * refused, as transformers ≤ 4.5x did; transformers 5.x would blow a 1×1 image up to 56×56.
 */
public final class ImagePreprocessor {

  /** PIL's {@code Image.MAX_IMAGE_PIXELS}: the decompression-bomb threshold transformers meets. */
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 89_478_485L;

  private static final double MAX_ASPECT_RATIO = 200;

  private final PreprocessorConfig config;
  private final long maxImagePixels;
  private final float[][] normalized; // [3][256] normalized value of each uint8 sample

  public ImagePreprocessor(PreprocessorConfig config) {
    this(config, DEFAULT_MAX_IMAGE_PIXELS);
  }

  /**
   * @param maxImagePixels largest width·height accepted, checked from the file header before the
   *     pixels are decoded
   */
  public ImagePreprocessor(PreprocessorConfig config, long maxImagePixels) {
    this.config = config;
    this.maxImagePixels = maxImagePixels;
    this.normalized = new float[3][256];
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) {
        float x = config.doRescale() ? (float) (v * config.rescaleFactor()) : v;
        normalized[c][v] =
            config.doNormalize() ? (x - config.imageMean()[c]) / config.imageStd()[c] : x;
      }
    }
  }

  public PreprocessorConfig config() {
    return config;
  }

  /** A PNG, JPEG or TIFF file's bytes. */
  public PixelValues preprocess(byte[] encoded) {
    return preprocess(ImageDecoder.decode(encoded, this::checkSize));
  }

  /** Pixels already decoded, e.g. a page rendered by PDFBox. */
  public PixelValues preprocess(BufferedImage image) {
    checkSize(image.getWidth(), image.getHeight());
    return preprocess(ImageDecoder.toRgb(image));
  }

  public PixelValues preprocess(ImageInput input) {
    return switch (input) {
      case ImageInput.Encoded e -> preprocess(e.bytes());
      case ImageInput.Decoded d -> preprocess(d.image());
    };
  }

  PixelValues preprocess(RgbImage image) {
    RgbImage resized = image;
    if (config.doResize()) {
      int[] size = smartResize(image.height(), image.width());
      resized = BicubicResampler.resize(image, size[1], size[0]);
    } else if (image.height() % config.factor() != 0 || image.width() % config.factor() != 0) {
      throw new InvalidImageException(
          Reason.TOO_SMALL,
          "do_resize is false but the image is "
              + image.width()
              + "x"
              + image.height()
              + ", not a multiple of "
              + config.factor());
    }
    return patchify(resized);
  }

  /**
   * transformers' {@code smart_resize}: the (height, width) nearest the original's with both sides
   * multiples of {@link PreprocessorConfig#factor()} and the area within [min_pixels, max_pixels].
   * Python's {@code round} rounds half to even, as {@link Math#rint} does.
   */
  public int[] smartResize(int height, int width) {
    checkAspectRatio(width, height);
    int factor = config.factor();
    long hBar = (long) Math.rint((double) height / factor) * factor;
    long wBar = (long) Math.rint((double) width / factor) * factor;
    long area = (long) height * width;
    if (hBar * wBar > config.maxPixels()) {
      double beta = Math.sqrt((double) area / config.maxPixels());
      hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
      wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
    } else if (hBar * wBar < config.minPixels()) {
      double beta = Math.sqrt((double) config.minPixels() / area);
      hBar = (long) Math.ceil(height * beta / factor) * factor;
      wBar = (long) Math.ceil(width * beta / factor) * factor;
    }
    return new int[] {Math.toIntExact(hBar), Math.toIntExact(wBar)};
  }

  private void checkSize(int width, int height) {
    if ((long) width * height > maxImagePixels) {
      throw new InvalidImageException(
          Reason.TOO_LARGE,
          "image is "
              + width
              + "x"
              + height
              + " = "
              + (long) width * height
              + " pixels, more than the limit of "
              + maxImagePixels
              + " (decompression-bomb guard); scale it down or raise the limit");
    }
    int factor = config.factor();
    if (width < factor || height < factor) {
      throw new InvalidImageException(
          Reason.TOO_SMALL,
          "image is "
              + width
              + "x"
              + height
              + "; both sides must be at least "
              + factor
              + " pixels");
    }
    checkAspectRatio(width, height);
  }

  private static void checkAspectRatio(int width, int height) {
    double ratio = (double) Math.max(width, height) / Math.min(width, height);
    if (ratio > MAX_ASPECT_RATIO) {
      throw new InvalidImageException(
          Reason.ASPECT_RATIO,
          "image is "
              + width
              + "x"
              + height
              + ", aspect ratio "
              + ratio
              + " exceeds "
              + MAX_ASPECT_RATIO);
    }
  }

  // [gridH/M, gridW/M, M, M] patches, each [3, T, P, P]; the image repeated over T.
  private PixelValues patchify(RgbImage image) {
    int p = config.patchSize();
    int m = config.mergeSize();
    int t = config.temporalPatchSize();
    int gridH = image.height() / p;
    int gridW = image.width() / p;
    int frame = p * p; // values of one channel of one frame of a patch
    int dim = config.patchDim();
    byte[] rgb = image.rgb();
    float[] data = new float[gridH * gridW * dim]; // [gridH * gridW, 3 * T * P * P]
    int row = 0;
    for (int bh = 0; bh < gridH / m; bh++) {
      for (int bw = 0; bw < gridW / m; bw++) {
        for (int mh = 0; mh < m; mh++) {
          for (int mw = 0; mw < m; mw++, row++) {
            int y0 = (bh * m + mh) * p;
            int x0 = (bw * m + mw) * p;
            for (int c = 0; c < 3; c++) {
              float[] lut = normalized[c];
              int base = row * dim + c * t * frame;
              for (int py = 0; py < p; py++) {
                int src = ((y0 + py) * image.width() + x0) * 3 + c;
                int dst = base + py * p;
                for (int px = 0; px < p; px++, src += 3) {
                  data[dst + px] = lut[rgb[src] & 0xFF];
                }
              }
              for (int f = 1; f < t; f++) {
                System.arraycopy(data, base, data, base + f * frame, frame);
              }
            }
          }
        }
      }
    }
    return new PixelValues(data, 1, gridH, gridW, m);
  }
}
