package dev.docproc.inference.engine.vision.preprocess;

import dev.docproc.inference.engine.vision.preprocess.InvalidImageException.Reason;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * JPEG as Pillow reads it: libjpeg's samples, no colour management.
 *
 * <p>The JDK's own reader (IJG libjpeg 6b: ISLOW IDCT, fancy upsampling; Pillow's libjpeg-turbo
 * computes the same integers) returns the raw, upsampled samples ({@code readRaster}); the colour
 * conversion libjpeg would apply for Pillow is done here with libjpeg's integer tables ({@code
 * jdcolor.c}). Reading decoded images instead would let the JDK, or TwelveMonkeys' reader that
 * ImageIO picks first, convert through an embedded ICC profile, which Pillow ignores.
 *
 * <p>The source colour space is guessed as libjpeg's {@code default_decompress_parms} does: three
 * components are YCbCr unless an Adobe marker says transform 0 (or, with neither JFIF nor Adobe
 * marker, the component ids spell R, G, B); four components are CMYK with no Adobe marker or
 * transform 0, else YCCK, which libjpeg turns into CMYK ({@code ycck_cmyk_convert}). Pillow then
 * takes every CMYK JPEG as Adobe-inverted ({@code "CMYK;I"}).
 */
final class JpegDecoder {

  private static final String JDK_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";

  // libjpeg jdcolor.c build_ycc_rgb_table: 16-bit fixed point, indexed by the 8-bit Cb/Cr.
  private static final int SCALEBITS = 16;
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    int oneHalf = 1 << (SCALEBITS - 1);
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + oneHalf) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + oneHalf) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + oneHalf;
    }
  }

  private JpegDecoder() {}

  static RgbImage decode(byte[] encoded, ImageInputStream in, ImageDecoder.SizeCheck sizeCheck)
      throws IOException {
    ImageReader reader = jdkReader();
    try {
      reader.setInput(in, true, true);
      sizeCheck.check(reader.getWidth(0), reader.getHeight(0));
      Header header = Header.parse(encoded);
      Raster raw = reader.readRaster(0, null); // [h, w, components], no colour conversion
      if (raw.getNumBands() != header.components()
          || raw.getTransferType() != DataBuffer.TYPE_BYTE) {
        throw new InvalidImageException(
            Reason.UNSUPPORTED_PIXEL_LAYOUT,
            "JPEG with " + raw.getNumBands() + " components of non-8-bit samples");
      }
      return switch (header.components()) {
        case 1 -> ImageDecoder.bandsToRgb(raw, 0);
        case 3 ->
            header.rgb()
                ? ImageDecoder.bandsToRgb(raw, 0)
                : ImageDecoder.convert(raw, JpegDecoder::yccToRgb);
        case 4 ->
            ImageDecoder.convert(
                raw, header.ycck() ? JpegDecoder::ycckToRgb : JpegDecoder::cmykToRgb);
        default ->
            throw new InvalidImageException(
                Reason.UNSUPPORTED_PIXEL_LAYOUT,
                "JPEG with " + header.components() + " components is not supported");
      };
    } finally {
      reader.dispose();
    }
  }

  private static ImageReader jdkReader() {
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
      ImageReader reader = it.next();
      if (reader.getClass().getName().equals(JDK_READER)) {
        return reader;
      }
      reader.dispose();
    }
    throw new IllegalStateException("this JDK has no " + JDK_READER);
  }

  /** What libjpeg's colour-space guess looks at, from the segments before the first scan. */
  record Header(int components, int[] componentIds, boolean jfif, int adobeTransform) {

    /** Three components stored as RGB rather than YCbCr. */
    boolean rgb() {
      if (jfif) {
        return false;
      }
      if (adobeTransform >= 0) {
        return adobeTransform == 0;
      }
      return componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B';
    }

    /** Four components stored as YCCK rather than CMYK. */
    boolean ycck() {
      return adobeTransform > 0;
    }

    static Header parse(byte[] jpeg) {
      int components = 0;
      int[] ids = new int[0];
      boolean jfif = false;
      int adobeTransform = -1;
      int pos = 2; // after SOI
      while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
        int marker = jpeg[pos + 1] & 0xFF;
        if (marker == 0xFF) {
          pos++; // fill byte
          continue;
        }
        if (marker == 0xDA || marker == 0xD9) {
          break; // start of scan, end of image
        }
        int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
        int data = pos + 4; // segment payload, length - 2 bytes
        int end = Math.min(jpeg.length, pos + 2 + length);
        boolean sof =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof && data + 6 <= end) {
          components = jpeg[data + 5] & 0xFF;
          ids = new int[components];
          for (int c = 0; c < components && data + 6 + 3 * c < end; c++) {
            ids[c] = jpeg[data + 6 + 3 * c] & 0xFF;
          }
        } else if (marker == 0xE0 && startsWith(jpeg, data, end, "JFIF\0")) {
          jfif = true;
        } else if (marker == 0xEE && data + 12 <= end && startsWith(jpeg, data, end, "Adobe")) {
          adobeTransform = jpeg[data + 11] & 0xFF;
        }
        pos += 2 + length;
      }
      return new Header(components, ids, jfif, adobeTransform);
    }

    private static boolean startsWith(byte[] bytes, int from, int end, String ascii) {
      if (from + ascii.length() > end) {
        return false;
      }
      for (int i = 0; i < ascii.length(); i++) {
        if (bytes[from + i] != ascii.charAt(i)) {
          return false;
        }
      }
      return true;
    }
  }

  // libjpeg ycc_rgb_convert.
  private static void yccToRgb(int[] in, int p, byte[] rgb, int o) {
    rgb[o] = (byte) clamp(red(in[p], in[p + 2]));
    rgb[o + 1] = (byte) clamp(green(in[p], in[p + 1], in[p + 2]));
    rgb[o + 2] = (byte) clamp(blue(in[p], in[p + 1]));
  }

  // Pillow's "CMYK;I": libjpeg's CMYK samples inverted, then cmyk2rgb.
  private static void cmykToRgb(int[] in, int p, byte[] rgb, int o) {
    ImageDecoder.cmykToRgb(255 - in[p], 255 - in[p + 1], 255 - in[p + 2], 255 - in[p + 3], rgb, o);
  }

  // libjpeg ycck_cmyk_convert gives C = clamp(255 - red), ..., K unchanged; Pillow's inversion
  // turns that back into clamp(red), ..., 255 - K before cmyk2rgb.
  private static void ycckToRgb(int[] in, int p, byte[] rgb, int o) {
    int y = in[p];
    int cb = in[p + 1];
    int cr = in[p + 2];
    ImageDecoder.cmykToRgb(
        clamp(red(y, cr)), clamp(green(y, cb, cr)), clamp(blue(y, cb)), 255 - in[p + 3], rgb, o);
  }

  // libjpeg ycc_rgb_convert before range limiting.
  private static int red(int y, int cr) {
    return y + CR_R[cr];
  }

  private static int green(int y, int cb, int cr) {
    return y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS);
  }

  private static int blue(int y, int cb) {
    return y + CB_B[cb];
  }

  private static int clamp(int v) {
    return Math.clamp(v, 0, 255);
  }

  private static int fix(double x) {
    return (int) (x * (1 << SCALEBITS) + 0.5);
  }
}
