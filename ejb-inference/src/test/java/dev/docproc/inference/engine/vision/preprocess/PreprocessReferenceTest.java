package dev.docproc.inference.engine.vision.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pixel_values against transformers' Qwen2VLImageProcessorPil (tools/reference/io_cases.py), one
 * case per image mode and file format.
 *
 * <p>Tolerance: none. Every case, JPEG included, must give the same resized uint8 image and the
 * same float32 pixel_values bytes (sha256) as the reference. JPEG is exact because the JDK's
 * libjpeg and Pillow's libjpeg-turbo run the same integer IDCT, upsampling and colour conversion;
 * should a JPEG ever differ, the uint8 difference is reported first, which is the quantity a
 * decoder difference moves (one uint8 step is 1/(255·std) ≈ 0.015 in pixel_values).
 */
class PreprocessReferenceTest {

  static final Path REFERENCE = Path.of("src/test/resources/reference");
  static final ImagePreprocessor PREPROCESSOR =
      new ImagePreprocessor(load(REFERENCE.resolve("chat/io_qwen2_5_vl/preprocessor_config.json")));

  static Stream<Arguments> cases() throws IOException {
    JsonNode root =
        new ObjectMapper().readTree(REFERENCE.resolve("preprocess/io_cases.json").toFile());
    return Stream.iterate(0, i -> i < root.get("cases").size(), i -> i + 1)
        .map(i -> root.get("cases").get(i))
        .map(c -> Arguments.of(c.get("name").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTransformers(String name, JsonNode expected) throws IOException {
    byte[] file = Files.readAllBytes(REFERENCE.resolve(expected.get("image").asText()));

    RgbImage rgb = ImageDecoder.decode(file, (w, h) -> {});
    int[] size = PREPROCESSOR.smartResize(rgb.height(), rgb.width());
    assertArrayEquals(
        new int[] {expected.get("resized_height").asInt(), expected.get("resized_width").asInt()},
        size,
        "smart_resize");
    if (expected.get("resized").isTextual()) { // stored for the small images only
      RgbImage resized = BicubicResampler.resize(rgb, size[1], size[0]);
      RgbImage expectedResized =
          ImageDecoder.toRgb(
              ImageIO.read(REFERENCE.resolve(expected.get("resized").asText()).toFile()));
      assertEquals(0, maxAbsDiff(expectedResized, resized), "resized uint8 RGB, max |diff|");
    }

    PixelValues values = PREPROCESSOR.preprocess(file);
    JsonNode grid = expected.get("image_grid_thw");
    assertArrayEquals(
        new int[] {grid.get(0).asInt(), grid.get(1).asInt(), grid.get(2).asInt()},
        new int[] {values.gridT(), values.gridH(), values.gridW()},
        "image_grid_thw");
    assertEquals(expected.get("num_image_tokens").asInt(), values.numMergedTokens());
    assertEquals(expected.get("pixel_values_shape").get(1).asInt(), values.patchDim());
    assertEquals(
        expected.get("pixel_values_sha256").asText(), sha256(values.data()), "pixel_values bytes");
  }

  static int maxAbsDiff(RgbImage a, RgbImage b) {
    assertEquals(a.width(), b.width());
    assertEquals(a.height(), b.height());
    int max = 0;
    for (int i = 0; i < a.rgb().length; i++) {
      max = Math.max(max, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
    }
    return max;
  }

  static String sha256(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static PreprocessorConfig load(Path path) {
    try {
      return PreprocessorConfig.load(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
