package dev.docproc.inference.engine.vision.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.vision.preprocess.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** smart_resize, configuration layouts, in-memory images and the refusals of bad images. */
class ImagePreprocessorTest {

  static final ImagePreprocessor QWEN = new ImagePreprocessor(PreprocessorConfig.qwen25vl());

  @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
  @CsvSource({
    "480, 640, 476, 644", // MODEL.md §3.2 examples
    "1080, 1920, 1092, 1932",
    "224, 224, 224, 224",
    "70, 70, 56, 56", // round(2.5) = 2: half to even
    "98, 98, 112, 112", // round(3.5) = 4
    "4000, 6000, 2912, 4368", // above max_pixels: scaled down
    "28, 28, 56, 56", // below min_pixels: scaled up
    "2240, 1680, 2240, 1680"
  })
  void smartResizeAsTransformers(int h, int w, int expectedH, int expectedW) {
    assertArrayEquals(new int[] {expectedH, expectedW}, QWEN.smartResize(h, w));
  }

  @Test
  void readsBothPreprocessorConfigLayouts() {
    PreprocessorConfig old = PreprocessorConfig.parse("{\"min_pixels\": 100, \"max_pixels\": 900}");
    PreprocessorConfig sized =
        PreprocessorConfig.parse("{\"size\": {\"shortest_edge\": 100, \"longest_edge\": 900}}");
    assertEquals(100, old.minPixels());
    assertEquals(900, old.maxPixels());
    assertEquals(100, sized.minPixels());
    assertEquals(900, sized.maxPixels());
    PreprocessorConfig both =
        PreprocessorConfig.parse(
            "{\"min_pixels\": 3136, \"size\": {\"shortest_edge\": 1, \"longest_edge\": 9000}}");
    assertEquals(3136, both.minPixels(), "min_pixels wins over size, as in transformers");
    assertEquals(9000, both.maxPixels());
    PreprocessorConfig defaults = PreprocessorConfig.parse("{}");
    assertEquals(56 * 56, defaults.minPixels());
    assertEquals(28 * 28 * 1280, defaults.maxPixels());
    assertEquals(1176, defaults.patchDim());
    assertEquals(0.48145466f, defaults.imageMean()[0]);
  }

  @Test
  void refusesResamplingItDoesNotImplement() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PreprocessorConfig.parse("{\"resample\": 2}"));
    assertTrue(e.getMessage().contains("only 3 (PIL BICUBIC)"), e.getMessage());
  }

  @Test
  void inMemoryImagesEqualTheirPngEncoding() throws IOException {
    for (int type :
        new int[] {
          BufferedImage.TYPE_INT_RGB,
          BufferedImage.TYPE_INT_ARGB,
          BufferedImage.TYPE_3BYTE_BGR,
          BufferedImage.TYPE_BYTE_GRAY
        }) {
      BufferedImage image = randomImage(type, 131, 97, type);
      PixelValues fromMemory = QWEN.preprocess(image);
      PixelValues fromPng = QWEN.preprocess(png(image));
      assertEquals(fromPng.gridH(), fromMemory.gridH());
      assertEquals(fromPng.gridW(), fromMemory.gridW());
      assertArrayEquals(fromPng.data(), fromMemory.data(), "type " + type);
    }
  }

  @Test
  void pixelValuesHoldNormalizedSamplesInMergeBlockOrder() {
    // 56x56 white image except one red pixel at (x=20, y=3): patch row 0, col 1 (merge block 0).
    BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 56; y++) {
      for (int x = 0; x < 56; x++) {
        image.setRGB(x, y, 0xFFFFFF);
      }
    }
    image.setRGB(20, 3, 0xFF0000);
    PixelValues p = QWEN.preprocess(image);
    assertEquals(1176, p.patchDim());
    assertEquals(16, p.numPatches());
    assertEquals(4, p.numMergedTokens());
    float white = (1f - 0.4578275f) / 0.26130258f; // green channel of white
    float zeroGreen = (0f - 0.4578275f) / 0.26130258f;
    int row = 1; // block 0, mh 0, mw 1
    int green = 1 * 392;
    int inPatch = 3 * 14 + (20 - 14);
    assertEquals(zeroGreen, p.data()[row * 1176 + green + inPatch]);
    assertEquals(zeroGreen, p.data()[row * 1176 + green + 196 + inPatch], "second frame copy");
    assertEquals(white, p.data()[row * 1176 + green + inPatch + 1]);
  }

  @Test
  void refusesATinyImage() throws IOException {
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class,
            () -> QWEN.preprocess(png(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB))));
    assertEquals(Reason.TOO_SMALL, e.reason());
    assertTrue(e.getMessage().contains("1x1"), e.getMessage());
  }

  @Test
  void refusesADecompressionBombFromItsHeaderAlone() {
    // A PNG header announcing 20000x20000 RGB followed by a few bytes of data: decoding it
    // would fail, so TOO_LARGE shows the check ran on the header before any pixel was decoded.
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> QWEN.preprocess(pngHeader(20000, 20000)));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("20000x20000"), e.getMessage());
    ImagePreprocessor generous = new ImagePreprocessor(PreprocessorConfig.qwen25vl(), 500_000_000L);
    assertEquals(
        Reason.CORRUPT,
        assertThrows(
                InvalidImageException.class, () -> generous.preprocess(pngHeader(20000, 20000)))
            .reason(),
        "with the limit raised the same bytes reach the decoder");
  }

  @Test
  void refusesAnExtremeAspectRatio() throws IOException {
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class,
            () -> QWEN.preprocess(png(new BufferedImage(6000, 28, BufferedImage.TYPE_INT_RGB))));
    assertEquals(Reason.ASPECT_RATIO, e.reason());
  }

  @Test
  void refusesFormatsItDoesNotSupport() throws IOException {
    ByteArrayOutputStream gif = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_INDEXED), "gif", gif);
    assertEquals(
        Reason.UNSUPPORTED_FORMAT,
        assertThrows(InvalidImageException.class, () -> QWEN.preprocess(gif.toByteArray()))
            .reason());
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class, () -> QWEN.preprocess("%PDF-1.7 not an image".getBytes()));
    assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
    assertTrue(e.getMessage().contains("PNG, JPEG, TIFF"), e.getMessage());
  }

  @Test
  void refusesATruncatedFile() throws IOException {
    byte[] full = png(randomImage(BufferedImage.TYPE_INT_RGB, 200, 150, 7));
    byte[] truncated = Arrays.copyOf(full, full.length / 2);
    assertEquals(
        Reason.CORRUPT,
        assertThrows(InvalidImageException.class, () -> QWEN.preprocess(truncated)).reason());
  }

  @Test
  void refuses16BitGrayscaleThatPilWouldClipToWhite() throws IOException {
    BufferedImage gray16 = new BufferedImage(40, 40, BufferedImage.TYPE_USHORT_GRAY);
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> QWEN.preprocess(png(gray16)));
    assertEquals(Reason.UNSUPPORTED_PIXEL_LAYOUT, e.reason());
  }

  static BufferedImage randomImage(int type, int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, type);
    WritableRaster raster = image.getRaster();
    Random random = new Random(seed);
    int[] sample = new int[raster.getNumBands()];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int b = 0; b < sample.length; b++) {
          sample[b] = random.nextInt(256);
        }
        raster.setPixel(x, y, sample);
      }
    }
    return image;
  }

  static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** PNG signature, IHDR for an 8-bit RGB image of the given size, and a stub IDAT. */
  static byte[] pngHeader(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x63, 0x00});
    return out.toByteArray();
  }

  static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes();
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
