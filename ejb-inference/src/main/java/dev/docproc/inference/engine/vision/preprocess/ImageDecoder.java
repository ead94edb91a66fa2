package dev.docproc.inference.engine.vision.preprocess;

import dev.docproc.inference.engine.vision.preprocess.InvalidImageException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
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
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG/JPEG/TIFF bytes and turns pixels into RGB exactly as PIL's {@code
 * Image.open(f).convert("RGB")} does, which is what transformers 5.17's PIL image backend feeds the
 * resize.
 *
 * <p>PIL's rules, per source layout: grayscale (also 1/2/4-bit, scaled to 0..255 the same way) is
 * replicated to R=G=B; palette indices are looked up; an alpha channel or PNG transparency is
 * dropped, not composited; 16-bit RGB keeps the high byte; CMYK becomes {@code nk - c·nk/255} with
 * {@code nk = 255 - k} in PIL's rounded integer form ({@code Convert.c cmyk2rgb}). PIL reads every
 * CMYK JPEG with Adobe's inverted polarity ({@code "CMYK;I"}), so those samples are inverted first.
 * The JDK's decoder (libjpeg 6b, ISLOW IDCT, fancy upsampling) and Pillow's libjpeg-turbo compute
 * the same integer pipeline for baseline and progressive JPEGs.
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
        String format = format(reader);
        reader.setInput(in, true, true);
        sizeCheck.check(reader.getWidth(0), reader.getHeight(0));
        if (format.equals("jpeg") && isCmyk(reader.getRawImageType(0))) {
          // Read the stored CMYK samples; read() would colour-manage them through an ICC profile.
          return cmykToRgb(reader.readRaster(0, null), true);
        }
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
      return paletteToRgb(raster, palette);
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
    return switch (cm.getColorSpace().getType()) {
      case ColorSpace.TYPE_GRAY -> {
        if (bits != 8) {
          throw new InvalidImageException(
              Reason.UNSUPPORTED_PIXEL_LAYOUT,
              "16-bit grayscale is not supported (PIL's RGB conversion clips it to white);"
                  + " convert the image to 8-bit first");
        }
        yield bandsToRgb(raster, new int[] {0, 0, 0}, 0);
      }
      case ColorSpace.TYPE_RGB -> bandsToRgb(raster, new int[] {0, 1, 2}, shift);
      case ColorSpace.TYPE_CMYK -> {
        if (bits != 8) {
          throw new InvalidImageException(
              Reason.UNSUPPORTED_PIXEL_LAYOUT, "16-bit CMYK is not supported");
        }
        yield cmykToRgb(raster, false);
      }
      default ->
          throw new InvalidImageException(
              Reason.UNSUPPORTED_PIXEL_LAYOUT,
              "colour space type " + cm.getColorSpace().getType() + " is not supported");
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

  private static boolean isCmyk(ImageTypeSpecifier raw) {
    return raw != null && raw.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
  }

  /** Copies bands {@code take[0..2]} of every pixel, shifted right by {@code shift}. */
  private static RgbImage bandsToRgb(Raster raster, int[] take, int shift) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
        rgb[o] = (byte) (row[x * bands + take[0]] >> shift);
        rgb[o + 1] = (byte) (row[x * bands + take[1]] >> shift);
        rgb[o + 2] = (byte) (row[x * bands + take[2]] >> shift);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private static RgbImage paletteToRgb(Raster raster, IndexColorModel palette) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
        rgb[o] = (byte) palette.getRed(row[x]);
        rgb[o + 1] = (byte) palette.getGreen(row[x]);
        rgb[o + 2] = (byte) palette.getBlue(row[x]);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** PIL {@code cmyk2rgb}; {@code inverted}: the samples are Adobe-inverted (JPEG). */
  private static RgbImage cmykToRgb(Raster raster, boolean inverted) {
    if (raster.getNumBands() != 4 || raster.getTransferType() != DataBuffer.TYPE_BYTE) {
      throw new InvalidImageException(
          Reason.UNSUPPORTED_PIXEL_LAYOUT, "CMYK image without 4 8-bit samples per pixel");
    }
    int w = raster.getWidth();
    int h = raster.getHeight();
    int flip = inverted ? 255 : 0;
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w * 4];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
        int nk = 255 - (row[x * 4 + 3] ^ flip);
        rgb[o] = cmykChannel(row[x * 4] ^ flip, nk);
        rgb[o + 1] = cmykChannel(row[x * 4 + 1] ^ flip, nk);
        rgb[o + 2] = cmykChannel(row[x * 4 + 2] ^ flip, nk);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  // CLIP8(nk - MULDIV255(c, nk)), MULDIV255(a, b) = ((a*b + 128) >> 8 + a*b + 128) >> 8.
  private static byte cmykChannel(int c, int nk) {
    int t = c * nk + 128;
    int v = nk - (((t >> 8) + t) >> 8);
    return (byte) Math.clamp(v, 0, 255);
  }
}
