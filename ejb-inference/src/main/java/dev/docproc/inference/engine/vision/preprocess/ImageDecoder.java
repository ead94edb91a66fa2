package dev.docproc.inference.engine.vision.preprocess;

import dev.docproc.inference.engine.vision.preprocess.InvalidImageException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG/JPEG/TIFF bytes and turns pixels into RGB exactly as PIL's {@code
 * Image.open(f).convert("RGB")} does, which is what transformers 5.14's PIL image backend feeds the
 * resize.
 *
 * <p>PIL's rules, per source layout: grayscale (also 1/2/4-bit, scaled to 0..255 the same way) is
 * replicated to R=G=B; palette indices are looked up; an alpha channel or PNG transparency is
 * dropped, not composited; 16-bit RGB keeps the high byte; CMYK becomes {@code nk - c·nk/255} with
 * {@code nk = 255 - k} in PIL's rounded integer form ({@code Convert.c cmyk2rgb}); embedded ICC
 * profiles are ignored. JPEG has its own reader ({@link JpegDecoder}).
 *
 * <p>Pixel layouts PIL would mangle are refused instead: 16-bit grayscale ({@code I;16}, which
 * PIL's conversion clips to 255) and premultiplied alpha.
 */
final class ImageDecoder {

  /** Formats with a tested decoder; ImageIO readers for others (GIF, BMP) are not used. */
  private static final Set<String> FORMATS = Set.of("png", "jpeg", "tiff");

  /** Called with (width, height) from the file header, before any pixel is decoded. */
  @FunctionalInterface
  interface SizeCheck {
    void check(int width, int height);
  }

  private ImageDecoder() {}

  static RgbImage decode(byte[] encoded, SizeCheck sizeCheck) {
    // In memory: ImageIO.createImageInputStream may spool the bytes to a temp file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InvalidImageException(
            Reason.UNSUPPORTED_FORMAT,
            "unrecognised image data (" + encoded.length + " bytes); supported: PNG, JPEG, TIFF");
      }
      ImageReader reader = readers.next();
      try {
        if (format(reader).equals("jpeg")) {
          return JpegDecoder.decode(encoded, in, sizeCheck);
        }
        reader.setInput(in, true, true);
        sizeCheck.check(reader.getWidth(0), reader.getHeight(0));
        return toRgb(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidImageException invalid) {
        throw invalid;
      }
      throw new InvalidImageException(
          Reason.CORRUPT, "image data could not be decoded: " + e.getMessage(), e);
    }
  }

  /** RGB of an already decoded image, e.g. a page rendered by PDFBox. */
  static RgbImage toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm.isAlphaPremultiplied()) {
      throw new InvalidImageException(
          Reason.UNSUPPORTED_PIXEL_LAYOUT, "premultiplied alpha is not supported");
    }
    if (cm instanceof IndexColorModel palette) {
      return convert(
          raster,
          (in, p, rgb, o) -> {
            rgb[o] = (byte) palette.getRed(in[p]);
            rgb[o + 1] = (byte) palette.getGreen(in[p]);
            rgb[o + 2] = (byte) palette.getBlue(in[p]);
          });
    }
    int bits = cm.getComponentSize(0);
    int shift =
        switch (bits) {
          case 8 -> 0;
          case 16 -> 8;
          default ->
              throw new InvalidImageException(
                  Reason.UNSUPPORTED_PIXEL_LAYOUT, bits + "-bit samples are not supported");
        };
    // By component count, as Pillow's modes: an embedded ICC profile (which gives the colour
    // space another type) does not change the samples.
    return switch (cm.getNumColorComponents()) {
      case 1 -> {
        if (bits != 8) {
          throw new InvalidImageException(
              Reason.UNSUPPORTED_PIXEL_LAYOUT,
              "16-bit grayscale is not supported (PIL's RGB conversion clips it to white);"
                  + " convert the image to 8-bit first");
        }
        yield bandsToRgb(raster, 0);
      }
      case 3 -> bandsToRgb(raster, shift);
      case 4 -> {
        if (bits != 8 || cm.getColorSpace().getType() != ColorSpace.TYPE_CMYK) {
          throw new InvalidImageException(
              Reason.UNSUPPORTED_PIXEL_LAYOUT, "only 8-bit CMYK has 4 colour components");
        }
        // Stored CMYK (TIFF), not inverted.
        yield convert(
            raster, (in, p, rgb, o) -> cmykToRgb(in[p], in[p + 1], in[p + 2], in[p + 3], rgb, o));
      }
      default ->
          throw new InvalidImageException(
              Reason.UNSUPPORTED_PIXEL_LAYOUT,
              cm.getNumColorComponents() + " colour components are not supported");
    };
  }

  private static String format(ImageReader reader) {
    for (String name : reader.getOriginatingProvider().getFormatNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (FORMATS.contains(lower)) {
        return lower;
      }
    }
    throw new InvalidImageException(
        Reason.UNSUPPORTED_FORMAT,
        "unsupported image format "
            + Arrays.toString(reader.getOriginatingProvider().getFormatNames())
            + "; supported: PNG, JPEG, TIFF");
  }

  /** Converts the samples of one pixel, {@code in[p..]}, into {@code rgb[o..o+2]}. */
  @FunctionalInterface
  interface PixelConversion {
    void convert(int[] in, int p, byte[] rgb, int o);
  }

  /** Every pixel of {@code raster} through {@code conversion}, row by row. */
  static RgbImage convert(Raster raster, PixelConversion conversion) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    byte[] rgb = new byte[w * h * 3]; // [h, w, 3]
    int[] row = new int[w * bands]; // [w, bands]
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        conversion.convert(row, x * bands, rgb, (y * w + x) * 3);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** Gray replicated (1 band) or the first three bands, shifted right by {@code shift}. */
  static RgbImage bandsToRgb(Raster raster, int shift) {
    if (raster.getNumBands() == 1 || raster.getNumBands() == 2) { // gray, gray + alpha
      return convert(
          raster, (in, p, rgb, o) -> rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) (in[p] >> shift));
    }
    return convert(
        raster,
        (in, p, rgb, o) -> {
          rgb[o] = (byte) (in[p] >> shift);
          rgb[o + 1] = (byte) (in[p + 1] >> shift);
          rgb[o + 2] = (byte) (in[p + 2] >> shift);
        });
  }

  /**
   * PIL {@code cmyk2rgb} into {@code rgb[o..o+2]}: {@code CLIP8(nk - MULDIV255(c, nk))} with {@code
   * nk = 255 - k} and {@code MULDIV255(a, b) = ((a·b + 128) >> 8 + a·b + 128) >> 8}.
   */
  static void cmykToRgb(int c, int m, int y, int k, byte[] rgb, int o) {
    int nk = 255 - k;
    rgb[o] = cmykChannel(c, nk);
    rgb[o + 1] = cmykChannel(m, nk);
    rgb[o + 2] = cmykChannel(y, nk);
  }

  private static byte cmykChannel(int c, int nk) {
    int t = c * nk + 128;
    return (byte) Math.clamp(nk - (((t >> 8) + t) >> 8), 0, 255);
  }
}
