package dev.docproc.inference.engine.vision.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The model's {@code preprocessor_config.json} for a Qwen2-VL image processor.
 *
 * <p>Both layouts are read: the original one ({@code min_pixels}, {@code max_pixels}) and the newer
 * one ({@code size: {shortest_edge, longest_edge}}, both meaning pixel counts). As in transformers'
 * {@code Qwen2VLImageProcessor.__init__}, {@code min_pixels}/{@code max_pixels} win over {@code
 * size}; keys that are absent take that class's defaults.
 *
 * @param minPixels smallest resized area, in pixels
 * @param maxPixels largest resized area, in pixels
 * @param patchSize side of one vision patch (14)
 * @param temporalPatchSize frames per patch (2; a still image is repeated)
 * @param mergeSize side of the patch block merged into one LLM token (2)
 * @param imageMean per-channel mean, RGB
 * @param imageStd per-channel standard deviation, RGB
 * @param rescaleFactor uint8 to [0,1] factor (1/255)
 * @param resample PIL filter id; only 3 (BICUBIC) is implemented
 * @param doConvertRgb read for completeness; images are always made RGB, since with {@code false}
 *     transformers cannot normalize a non-RGB image with 3-channel mean/std, and RGB images are the
 *     same either way
 */
public record PreprocessorConfig(
    int minPixels,
    int maxPixels,
    int patchSize,
    int temporalPatchSize,
    int mergeSize,
    float[] imageMean,
    float[] imageStd,
    double rescaleFactor,
    int resample,
    boolean doResize,
    boolean doRescale,
    boolean doNormalize,
    boolean doConvertRgb) {

  static final int PIL_BICUBIC = 3;
  private static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
  private static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

  public PreprocessorConfig {
    if (minPixels <= 0 || maxPixels < minPixels) {
      throw new IllegalArgumentException(
          "preprocessor config needs 0 < min_pixels <= max_pixels, got "
              + minPixels
              + ", "
              + maxPixels);
    }
    if (patchSize <= 0 || temporalPatchSize <= 0 || mergeSize <= 0) {
      throw new IllegalArgumentException("patch_size, temporal_patch_size, merge_size must be > 0");
    }
    if (imageMean.length != 3 || imageStd.length != 3) {
      throw new IllegalArgumentException("image_mean and image_std need 3 values (RGB)");
    }
    if (doResize && resample != PIL_BICUBIC) {
      throw new IllegalArgumentException(
          "resample " + resample + " is not supported; only 3 (PIL BICUBIC) is implemented");
    }
  }

  /** The published Qwen2.5-VL values (MODEL.md §3.1). */
  public static PreprocessorConfig qwen25vl() {
    return parse("{\"min_pixels\": 3136, \"max_pixels\": 12845056}");
  }

  public static PreprocessorConfig load(Path json) throws IOException {
    if (!Files.isRegularFile(json)) {
      throw new NoSuchFileException(json.toString(), null, "preprocessor_config.json not found");
    }
    return parse(Files.readString(json));
  }

  public static PreprocessorConfig parse(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("preprocessor_config.json is not valid JSON", e);
    }
    JsonNode size = root.path("size");
    int minPixels = root.path("min_pixels").asInt(size.path("shortest_edge").asInt(56 * 56));
    int maxPixels = root.path("max_pixels").asInt(size.path("longest_edge").asInt(28 * 28 * 1280));
    return new PreprocessorConfig(
        minPixels,
        maxPixels,
        root.path("patch_size").asInt(14),
        root.path("temporal_patch_size").asInt(2),
        root.path("merge_size").asInt(2),
        floats(root.path("image_mean"), OPENAI_CLIP_MEAN),
        floats(root.path("image_std"), OPENAI_CLIP_STD),
        root.path("rescale_factor").asDouble(1 / 255.0),
        root.path("resample").asInt(PIL_BICUBIC),
        root.path("do_resize").asBoolean(true),
        root.path("do_rescale").asBoolean(true),
        root.path("do_normalize").asBoolean(true),
        root.path("do_convert_rgb").asBoolean(true));
  }

  /** Side length that resized images are multiples of: patch_size * merge_size (28). */
  public int factor() {
    return patchSize * mergeSize;
  }

  /** Values per row of pixel_values: 3 * temporal_patch_size * patch_size² (1176). */
  public int patchDim() {
    return 3 * temporalPatchSize * patchSize * patchSize;
  }

  // numpy casts the Python floats of mean/std to float32 (np.array(mean, dtype=image.dtype)).
  private static float[] floats(JsonNode node, double[] fallback) {
    float[] out = new float[3];
    if (node.isMissingNode() || node.isNull()) {
      for (int i = 0; i < 3; i++) {
        out[i] = (float) fallback[i];
      }
      return out;
    }
    if (node.isNumber()) {
      Arrays.fill(out, (float) node.asDouble());
      return out;
    }
    if (node.size() != 3) {
      throw new IllegalArgumentException("image_mean/image_std need 3 values, got " + node);
    }
    for (int i = 0; i < 3; i++) {
      out[i] = (float) node.get(i).asDouble();
    }
    return out;
  }
}
