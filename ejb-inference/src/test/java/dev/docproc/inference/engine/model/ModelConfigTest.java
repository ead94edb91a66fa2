package dev.docproc.inference.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** config.json flat and nested; the quantization configs the engine runs and those it refuses. */
class ModelConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String TEXT =
      "\"hidden_size\":2048,\"num_hidden_layers\":36,\"num_attention_heads\":16,"
          + "\"num_key_value_heads\":2,\"intermediate_size\":11008,\"vocab_size\":151936,"
          + "\"rms_norm_eps\":1e-06,\"rope_theta\":1000000.0,\"tie_word_embeddings\":true,"
          + "\"rope_scaling\":{\"type\":\"mrope\",\"mrope_section\":[16,24,24]}";
  private static final String VISION =
      "\"vision_config\":{\"depth\":32,\"hidden_size\":1280,\"num_heads\":16,"
          + "\"intermediate_size\":3420,\"fullatt_block_indexes\":[7,15,23,31],"
          + "\"out_hidden_size\":2048,\"in_chans\":3}";
  private static final String QUANT =
      "\"quantization_config\":{\"quant_method\":\"compressed-tensors\",\"format\":\"pack-quantized\","
          + "\"config_groups\":{\"group_0\":{\"targets\":[\"Linear\"],\"input_activations\":null,"
          + "\"weights\":{\"num_bits\":4,\"type\":\"int\",\"symmetric\":true,\"strategy\":\"group\","
          + "\"group_size\":128,\"dynamic\":false,\"actorder\":\"weight\"}}},\"ignore\":[\"lm_head\"]}";

  private static ModelConfig parse(String json) throws Exception {
    return ModelConfig.parse(JSON.readTree(json), "config.json");
  }

  @Test
  void flatAndNestedTextConfigsAgree() throws Exception {
    ModelConfig flat =
        parse(
            "{\"model_type\":\"qwen2_5_vl\","
                + TEXT
                + ","
                + VISION
                + ","
                + QUANT
                + ",\"image_token_id\":151655}");
    ModelConfig nested =
        parse(
            "{\"model_type\":\"qwen2_5_vl\",\"text_config\":{"
                + TEXT
                + "},"
                + VISION
                + ","
                + QUANT
                + ",\"image_token_id\":151655}");
    for (ModelConfig c : new ModelConfig[] {flat, nested}) {
      assertEquals(2048, c.text().hiddenSize());
      assertEquals(128, c.text().headDim());
      assertEquals(2, c.text().kvHeads());
      assertArrayEquals(new int[] {16, 24, 24}, c.text().mropeSection());
      assertTrue(c.text().tieWordEmbeddings());
      assertEquals(80, c.vision().headDim());
      assertEquals(1176, c.vision().patchDim());
      assertTrue(c.vision().isFullAttention(31));
      assertEquals(128, c.quantization().groupSize());
      assertEquals("weight", c.quantization().actorder());
      assertEquals(151655, c.imageTokenId());
    }
  }

  @Test
  void transformers5RopeParametersAreRead() throws Exception {
    String text5 =
        TEXT.replace("\"rope_theta\":1000000.0,", "")
            .replace(
                "rope_scaling\":{\"type\":\"mrope\"",
                "rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":5000.0");
    ModelConfig c = parse("{\"text_config\":{" + text5 + "}," + VISION + "}");
    assertArrayEquals(new int[] {16, 24, 24}, c.text().mropeSection());
    assertEquals(5000.0, c.text().ropeTheta());
    String noRope =
        TEXT.replace(",\"rope_scaling\":{\"type\":\"mrope\",\"mrope_section\":[16,24,24]}", "");
    String m =
        assertThrows(ModelFormatException.class, () -> parse("{" + noRope + "," + VISION + "}"))
            .getMessage();
    assertTrue(m.contains("mrope_section"), m);
  }

  @Test
  void unquantizedConfigHasNoQuantization() throws Exception {
    assertNull(parse("{" + TEXT + "," + VISION + "}").quantization());
  }

  private static String refusal(String field, Object value) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree("{" + TEXT + "," + VISION + "," + QUANT + "}");
    ObjectNode weights =
        (ObjectNode)
            root.get("quantization_config").get("config_groups").get("group_0").get("weights");
    ObjectNode target =
        field.startsWith("q.") ? (ObjectNode) root.get("quantization_config") : weights;
    target.set(field.replace("q.", ""), JSON.valueToTree(value));
    return assertThrows(ModelFormatException.class, () -> ModelConfig.parse(root, "config.json"))
        .getMessage();
  }

  @Test
  void unsupportedQuantizationIsRefusedByName() throws Exception {
    assertTrue(refusal("num_bits", 8).contains("8-bit"));
    assertTrue(refusal("symmetric", false).contains("asymmetric"));
    assertTrue(refusal("strategy", "tensor").contains("strategy 'tensor'"));
    assertTrue(refusal("dynamic", true).contains("dynamic"));
    assertTrue(refusal("q.format", "float-quantized").contains("format 'float-quantized'"));
    assertTrue(refusal("q.quant_method", "gptq").contains("quant_method 'gptq'"));
  }

  @Test
  void missingKeysAndOtherModelsAreNamed() throws Exception {
    String m =
        assertThrows(ModelFormatException.class, () -> parse("{\"hidden_size\":8," + VISION + "}"))
            .getMessage();
    assertTrue(m.contains("num_attention_heads"), m);
    m =
        assertThrows(ModelFormatException.class, () -> parse("{\"model_type\":\"llama\"}"))
            .getMessage();
    assertTrue(m.contains("llama"), m);
  }
}
