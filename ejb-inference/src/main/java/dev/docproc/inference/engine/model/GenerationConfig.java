package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code generation_config.json}: the model's decoding defaults (MODEL.md §1.4). Absent keys take
 * transformers' defaults (greedy, no penalty).
 */
public record GenerationConfig(
    boolean doSample,
    float temperature,
    int topK,
    float topP,
    float repetitionPenalty,
    int[] eosTokenIds) {

  public static final GenerationConfig DEFAULTS =
      new GenerationConfig(false, 1.0f, 50, 1.0f, 1.0f, new int[0]);

  public static GenerationConfig load(Path modelDir) {
    Path file = modelDir.resolve("generation_config.json");
    if (!Files.exists(file)) {
      return DEFAULTS;
    }
    try {
      return parse(new ObjectMapper().readTree(file.toFile()));
    } catch (IOException e) {
      throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  static GenerationConfig parse(JsonNode n) {
    JsonNode eos = n.path("eos_token_id");
    int[] eosIds;
    if (eos.isArray()) {
      eosIds = new int[eos.size()];
      for (int i = 0; i < eosIds.length; i++) {
        eosIds[i] = eos.get(i).asInt();
      }
    } else {
      eosIds = eos.isNumber() ? new int[] {eos.asInt()} : new int[0];
    }
    return new GenerationConfig(
        n.path("do_sample").asBoolean(DEFAULTS.doSample),
        (float) n.path("temperature").asDouble(DEFAULTS.temperature),
        n.path("top_k").asInt(DEFAULTS.topK),
        (float) n.path("top_p").asDouble(DEFAULTS.topP),
        (float) n.path("repetition_penalty").asDouble(DEFAULTS.repetitionPenalty),
        eosIds);
  }
}
