package dev.docproc.inference.engine.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The model's {@code tokenizer.json} run by Hugging Face's Rust {@code tokenizers} (through DJL's
 * JNI binding, whose linux-x86_64 library ships inside its jar), so encoding is the library's own
 * byte-level BPE, NFC normalizer and added-token matching rather than a re-implementation.
 *
 * <p>Configured as {@code Qwen2TokenizerFast} calls it: no truncation (DJL would otherwise cut at
 * 512 tokens), no padding, no BOS/EOS (Qwen2 defines none, so {@code add_special_tokens} has
 * nothing to add), and no clean-up of tokenization spaces on decode ({@code
 * clean_up_tokenization_spaces: false} in Qwen's tokenizer_config.json).
 */
public final class QwenTokenizer implements AutoCloseable {

  private final HuggingFaceTokenizer tokenizer;
  private final Map<String, Integer> addedTokenIds; // content -> id, from "added_tokens"
  private final Set<Integer> specialTokenIds; // added tokens with "special": true

  private QwenTokenizer(
      HuggingFaceTokenizer tokenizer,
      Map<String, Integer> addedTokenIds,
      Set<Integer> specialTokenIds) {
    this.tokenizer = tokenizer;
    this.addedTokenIds = addedTokenIds;
    this.specialTokenIds = specialTokenIds;
  }

  /** Loads a Hugging Face {@code tokenizer.json}. */
  public static QwenTokenizer load(Path tokenizerJson) throws IOException {
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new NoSuchFileException(
          tokenizerJson.toString(), null, "tokenizer.json not found (expected a file)");
    }
    Map<String, Integer> addedTokenIds = new HashMap<>();
    Set<Integer> specialTokenIds = new HashSet<>();
    try (InputStream in = Files.newInputStream(tokenizerJson)) {
      JsonNode root = new ObjectMapper().readTree(in);
      for (JsonNode token : root.path("added_tokens")) {
        int id = token.get("id").asInt();
        addedTokenIds.put(token.get("content").asText(), id);
        if (token.path("special").asBoolean(false)) {
          specialTokenIds.add(id);
        }
      }
    }
    HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            tokenizerJson,
            Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "cleanUpTokenization", "false"));
    return new QwenTokenizer(tokenizer, Map.copyOf(addedTokenIds), Set.copyOf(specialTokenIds));
  }

  /** Token ids of {@code text}; added tokens written inline (e.g. {@code <|im_start|>}) match. */
  public int[] encode(String text) {
    Encoding encoding = tokenizer.encode(text, false, false);
    return Arrays.stream(encoding.getIds()).mapToInt(Math::toIntExact).toArray();
  }

  /** Text of {@code ids}, special tokens included (transformers' {@code decode} default). */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  public String decode(int[] ids, boolean skipSpecialTokens) {
    return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
  }

  /**
   * Id of an added token by its text, e.g. {@code "<|image_pad|>"}.
   *
   * @throws IllegalArgumentException if the tokenizer has no such added token
   */
  public int tokenId(String addedToken) {
    Integer id = addedTokenIds.get(addedToken);
    if (id == null) {
      throw new IllegalArgumentException(
          "tokenizer.json has no added token " + addedToken + "; the model's vocabulary lacks it");
    }
    return id;
  }

  /** Whether {@code id} is an added token marked {@code "special": true}. */
  public boolean isSpecial(int id) {
    return specialTokenIds.contains(id);
  }

  /** A decoder for one generated sequence that hands out text as soon as it is complete. */
  public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
    return new StreamDecoder(this, skipSpecialTokens);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
