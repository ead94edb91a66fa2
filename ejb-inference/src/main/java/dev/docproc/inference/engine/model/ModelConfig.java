package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code config.json} of a Qwen2.5-VL checkpoint (MODEL.md §1). Text keys are read flat or under
 * {@code text_config} (transformers ≥ 4.52 nests them), falling back to the top level.
 */
public record ModelConfig(
    TextConfig text,
    VisionConfig vision,
    int imageTokenId,
    int visionStartTokenId,
    int visionEndTokenId,
    QuantizationConfig quantization) {

  public record TextConfig(
      int hiddenSize,
      int layers,
      int heads,
      int kvHeads,
      int headDim,
      int intermediateSize,
      float rmsNormEps,
      double ropeTheta,
      int[] mropeSection,
      int vocabSize,
      boolean tieWordEmbeddings,
      int maxPositionEmbeddings) {}

  public record VisionConfig(
      int depth,
      int hiddenSize,
      int heads,
      int intermediateSize,
      int patchSize,
      int temporalPatchSize,
      int spatialMergeSize,
      int windowSize,
      int[] fullAttBlockIndexes,
      int outHiddenSize,
      int inChannels) {

    public int headDim() {
      return hiddenSize / heads;
    }

    /** Values per patch row of pixel_values: channels × temporal × patch × patch (1176). */
    public int patchDim() {
      return inChannels * temporalPatchSize * patchSize * patchSize;
    }

    public boolean isFullAttention(int block) {
      for (int b : fullAttBlockIndexes) {
        if (b == block) {
          return true;
        }
      }
      return false;
    }
  }

  public static ModelConfig load(Path modelDir) {
    Path file = modelDir.resolve("config.json");
    if (!Files.exists(file)) {
      throw new ModelFormatException(modelDir + ": config.json is missing");
    }
    try {
      return parse(new ObjectMapper().readTree(file.toFile()), file.toString());
    } catch (IOException e) {
      throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** max_pixels of preprocessor_config.json (12845056 = 16384·28² when absent). */
  public static long maxPixels(Path modelDir) {
    Path file = modelDir.resolve("preprocessor_config.json");
    if (!Files.exists(file)) {
      return 12845056L;
    }
    try {
      JsonNode n = new ObjectMapper().readTree(file.toFile());
      return n.path("max_pixels").asLong(n.path("size").path("longest_edge").asLong(12845056L));
    } catch (IOException e) {
      throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  static ModelConfig parse(JsonNode root, String source) {
    Keys top = new Keys(root, null, source);
    String type = top.string("model_type", "qwen2_5_vl");
    if (!type.equals("qwen2_5_vl")) {
      throw new ModelFormatException(
          source + ": model_type '" + type + "' is not supported (only qwen2_5_vl)");
    }
    Keys t = new Keys(root.path("text_config"), root, source);
    int hidden = t.integer("hidden_size");
    int heads = t.integer("num_attention_heads");
    String act = t.string("hidden_act", "silu");
    if (!act.equals("silu")) {
      throw new ModelFormatException(source + ": hidden_act '" + act + "' is not supported");
    }
    // rope_scaling (transformers 4.x) or rope_parameters (5.x, which also holds rope_theta)
    JsonNode rope = t.node("rope_scaling");
    if (rope == null || !rope.has("mrope_section")) {
      rope = t.node("rope_parameters");
    }
    if (rope == null || !rope.has("mrope_section")) {
      throw new ModelFormatException(
          source
              + ": no mrope_section in rope_scaling or rope_parameters: not a Qwen2.5-VL config");
    }
    JsonNode sections = rope.get("mrope_section");
    int[] section = new int[sections.size()];
    for (int i = 0; i < section.length; i++) {
      section[i] = sections.get(i).asInt();
    }
    double ropeTheta = t.number("rope_theta", rope.path("rope_theta").asDouble(1_000_000.0));
    int headDim = t.integer("head_dim", hidden / heads);
    int sectionSum = 0;
    for (int s : section) {
      sectionSum += s;
    }
    if (section.length != 3 || sectionSum * 2 != headDim) {
      throw new ModelFormatException(
          source + ": rope_scaling.mrope_section must be 3 numbers summing to head_dim/2");
    }
    TextConfig text =
        new TextConfig(
            hidden,
            t.integer("num_hidden_layers"),
            heads,
            t.integer("num_key_value_heads"),
            headDim,
            t.integer("intermediate_size"),
            (float) t.number("rms_norm_eps", 1e-6),
            ropeTheta,
            section,
            t.integer("vocab_size"),
            t.bool("tie_word_embeddings", false),
            t.integer("max_position_embeddings", 128000));
    Keys v = new Keys(root.path("vision_config"), null, source + " vision_config");
    String vact = v.string("hidden_act", "silu");
    if (!vact.equals("silu")) {
      throw new ModelFormatException(
          source + ": vision_config.hidden_act '" + vact + "' is not supported");
    }
    JsonNode full = v.node("fullatt_block_indexes");
    int[] fullIdx = new int[full == null ? 0 : full.size()];
    for (int i = 0; i < fullIdx.length; i++) {
      fullIdx[i] = full.get(i).asInt();
    }
    VisionConfig vision =
        new VisionConfig(
            v.integer("depth"),
            v.integer("hidden_size"),
            v.integer("num_heads"),
            v.integer("intermediate_size"),
            v.integer("patch_size", 14),
            v.integer("temporal_patch_size", 2),
            v.integer("spatial_merge_size", 2),
            v.integer("window_size", 112),
            fullIdx,
            v.integer("out_hidden_size", hidden),
            v.integer("in_channels", v.integer("in_chans", 3)));
    if (vision.outHiddenSize() != hidden) {
      throw new ModelFormatException(
          source + ": vision_config.out_hidden_size must equal the text hidden_size");
    }
    JsonNode q = root.get("quantization_config");
    if (q == null) {
      q = root.path("text_config").get("quantization_config");
    }
    return new ModelConfig(
        text,
        vision,
        top.integer("image_token_id", t.integer("image_token_id", 151655)),
        top.integer("vision_start_token_id", 151652),
        top.integer("vision_end_token_id", 151653),
        q == null ? null : QuantizationConfig.parse(q, source));
  }

  /** Key lookup with a fallback object and errors that name the file and key. */
  private record Keys(JsonNode node, JsonNode fallback, String source) {
    JsonNode node(String key) {
      JsonNode n = node.get(key);
      if ((n == null || n.isNull()) && fallback != null) {
        n = fallback.get(key);
      }
      return n == null || n.isNull() ? null : n;
    }

    int integer(String key) {
      JsonNode n = node(key);
      if (n == null || !n.canConvertToInt()) {
        throw new ModelFormatException(source + ": required integer '" + key + "' is missing");
      }
      return n.asInt();
    }

    int integer(String key, int dflt) {
      JsonNode n = node(key);
      return n == null ? dflt : n.asInt();
    }

    double number(String key, double dflt) {
      JsonNode n = node(key);
      return n == null ? dflt : n.asDouble();
    }

    boolean bool(String key, boolean dflt) {
      JsonNode n = node(key);
      return n == null ? dflt : n.asBoolean();
    }

    String string(String key, String dflt) {
      JsonNode n = node(key);
      return n == null ? dflt : n.asText();
    }
  }
}
