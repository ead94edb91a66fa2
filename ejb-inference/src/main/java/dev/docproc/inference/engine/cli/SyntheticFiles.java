package dev.docproc.inference.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The JSON files beside the synthetic weights: config (with the W4A16 quantization_config),
 * generation and preprocessor configs, the Qwen2-VL chat template, and a byte-level tokenizer whose
 * 256 byte tokens take ids 0–255 and whose special tokens sit at Qwen's ids — any text encodes, and
 * prompts have the real structure.
 */
final class SyntheticFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Qwen2.5 special tokens from id 151643 on (MODEL.md §7). */
  private static final String[] SPECIAL = {
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"
  };

  private static final int FIRST_SPECIAL = 151643;

  /** The Qwen2-VL / Qwen2.5-VL chat template (MODEL.md §6), verbatim. */
  static final String CHAT_TEMPLATE =
      "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
          + "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
          + "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
          + "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
          + "{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}"
          + "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
          + "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture "
          + "{{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>"
          + "{% elif content['type'] == 'video' or 'video' in content %}"
          + "{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video "
          + "{{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
          + "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
          + "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
          + "{% endif %}";

  private SyntheticFiles() {}

  static void writeJson(SyntheticModel.Spec s, Path dir) throws IOException {
    write(dir.resolve("config.json"), config(s));
    ObjectNode gen = JSON.createObjectNode();
    gen.put("bos_token_id", 151643).put("pad_token_id", 151643).put("do_sample", true);
    gen.putArray("eos_token_id").add(151645).add(151643);
    gen.put("repetition_penalty", 1.05).put("temperature", 0.1).put("top_k", 1).put("top_p", 0.001);
    write(dir.resolve("generation_config.json"), gen);
    ObjectNode pre = JSON.createObjectNode();
    pre.put("min_pixels", 3136).put("max_pixels", 12845056).put("patch_size", 14);
    pre.put("temporal_patch_size", 2).put("merge_size", 2);
    pre.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
    pre.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
    pre.put("resample", 3).put("rescale_factor", 0.00392156862745098);
    pre.put("do_resize", true).put("do_rescale", true).put("do_normalize", true);
    pre.put("do_convert_rgb", true);
    pre.put("image_processor_type", "Qwen2VLImageProcessor");
    pre.put("processor_class", "Qwen2_5_VLProcessor");
    write(dir.resolve("preprocessor_config.json"), pre);
    write(
        dir.resolve("chat_template.json"),
        JSON.createObjectNode().put("chat_template", CHAT_TEMPLATE));
    write(dir.resolve("tokenizer.json"), tokenizer());
    ObjectNode tc = JSON.createObjectNode();
    tc.put("tokenizer_class", "Qwen2Tokenizer").put("model_max_length", 131072);
    tc.put("eos_token", "<|im_end|>").put("pad_token", "<|endoftext|>").putNull("bos_token");
    tc.put("chat_template", CHAT_TEMPLATE);
    write(dir.resolve("tokenizer_config.json"), tc);
  }

  private static ObjectNode config(SyntheticModel.Spec s) {
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("Qwen2_5_VLForConditionalGeneration");
    c.put("model_type", "qwen2_5_vl");
    c.put("hidden_size", s.hidden()).put("num_hidden_layers", s.layers());
    c.put("num_attention_heads", s.heads()).put("num_key_value_heads", s.kvHeads());
    c.put("intermediate_size", s.intermediate()).put("hidden_act", "silu");
    c.put("rms_norm_eps", 1e-6).put("rope_theta", 1000000.0);
    ObjectNode rope = c.putObject("rope_scaling");
    rope.put("type", "mrope");
    ArrayNode section = rope.putArray("mrope_section");
    for (int v : s.mropeSection()) {
      section.add(v);
    }
    c.put("max_position_embeddings", 128000).put("vocab_size", s.vocab());
    c.put("tie_word_embeddings", true).put("torch_dtype", "bfloat16");
    c.put("use_sliding_window", false).put("sliding_window", 32768).put("max_window_layers", 70);
    c.put("attention_dropout", 0.0);
    c.put("bos_token_id", 151643).put("eos_token_id", 151645);
    c.put("image_token_id", 151655).put("video_token_id", 151656);
    c.put("vision_start_token_id", 151652).put("vision_end_token_id", 151653);
    c.put("vision_token_id", 151654);
    ObjectNode v = c.putObject("vision_config");
    v.put("depth", s.visionDepth()).put("hidden_size", s.visionHidden());
    v.put("num_heads", s.visionHeads()).put("intermediate_size", s.visionIntermediate());
    v.put("hidden_act", "silu").put("patch_size", 14).put("spatial_patch_size", 14);
    v.put("temporal_patch_size", 2).put("spatial_merge_size", 2).put("window_size", 112);
    ArrayNode full = v.putArray("fullatt_block_indexes");
    for (int b : s.fullAttBlocks()) {
      full.add(b);
    }
    v.put("out_hidden_size", s.hidden()).put("in_chans", 3).put("tokens_per_second", 2);
    c.set("quantization_config", quantization(s));
    return c;
  }

  private static ObjectNode quantization(SyntheticModel.Spec s) {
    ObjectNode q = JSON.createObjectNode();
    ObjectNode group = q.putObject("config_groups").putObject("group_0");
    group.putNull("input_activations").putNull("output_activations");
    group.putArray("targets").add("Linear");
    ObjectNode w = group.putObject("weights");
    w.put("actorder", s.gIdx() ? "group" : "weight").putNull("block_structure");
    w.put("dynamic", false).put("group_size", s.groupSize()).put("num_bits", 4);
    w.put("observer", "minmax").put("strategy", "group").put("symmetric", true).put("type", "int");
    q.put("format", "pack-quantized");
    ArrayNode ignore = q.putArray("ignore");
    for (int b = 0; b < s.visionDepth(); b++) {
      for (String m :
          new String[] {"attn.qkv", "attn.proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
        ignore.add("visual.blocks." + b + "." + m);
      }
    }
    ignore.add("visual.merger.mlp.0").add("visual.merger.mlp.2").add("lm_head");
    q.putNull("kv_cache_scheme");
    q.put("quant_method", "compressed-tensors").put("quantization_status", "compressed");
    return q;
  }

  /** GPT-2's byte ↔ printable-character map, which byte-level BPE vocabularies are spelled in. */
  static String byteToken(int b) {
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
      return String.valueOf((char) b);
    }
    int n = 0;
    for (int i = 0; i < b; i++) {
      if (!((i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF))) {
        n++;
      }
    }
    return String.valueOf((char) (256 + n));
  }

  private static ObjectNode tokenizer() {
    ObjectNode t = JSON.createObjectNode();
    t.put("version", "1.0").putNull("truncation").putNull("padding");
    ArrayNode added = t.putArray("added_tokens");
    for (int i = 0; i < SPECIAL.length; i++) {
      ObjectNode a = added.addObject();
      a.put("id", FIRST_SPECIAL + i).put("content", SPECIAL[i]).put("single_word", false);
      a.put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    t.putObject("normalizer").put("type", "NFC");
    ObjectNode pre = t.putObject("pre_tokenizer");
    pre.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false);
    pre.put("use_regex", true);
    t.putNull("post_processor");
    ObjectNode dec = t.putObject("decoder");
    dec.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false);
    dec.put("use_regex", true);
    ObjectNode model = t.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token");
    model.putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
    model.put("fuse_unk", false).put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int b = 0; b < 256; b++) {
      vocab.put(byteToken(b), b);
    }
    // added tokens absent from the vocabulary would be renumbered from its size on load
    for (int i = 0; i < SPECIAL.length; i++) {
      vocab.put(SPECIAL[i], FIRST_SPECIAL + i);
    }
    model.putArray("merges");
    return t;
  }

  static void writeIndex(Path dir, Map<String, String> weightMap) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.putObject("metadata");
    ObjectNode map = index.putObject("weight_map");
    weightMap.forEach(map::put);
    write(dir.resolve("model.safetensors.index.json"), index);
  }

  private static void write(Path file, ObjectNode node) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
  }
}
