package dev.docproc.inference.engine.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Qwen vocabulary through {@link QwenTokenizer} against the ids and texts Python's {@code
 * tokenizers} library gives (reference/tokenizer/io_qwen_corpus.json, written by
 * tools/reference/io_cases.py).
 */
class QwenTokenizerTest {

  static final Path CORPUS = Path.of("src/test/resources/reference/tokenizer/io_qwen_corpus.json");
  static QwenTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    tokenizer = QwenTokenizer.load(QwenVocabulary.tokenizerJson());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  static Stream<Arguments> corpus() throws IOException {
    JsonNode cases = new ObjectMapper().readTree(CORPUS.toFile()).get("cases");
    List<Arguments> out = new ArrayList<>();
    cases.forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void encodesAndDecodesAsTheTokenizersLibrary(String name, JsonNode expected) {
    int[] ids = ints(expected.get("ids"));
    assertArrayEquals(ids, tokenizer.encode(expected.get("text").asText()), "ids");
    assertEquals(expected.get("decoded").asText(), tokenizer.decode(ids));
    assertEquals(expected.get("decoded_skip_special").asText(), tokenizer.decode(ids, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void streamsWholeCharactersOnly(String name, JsonNode expected) {
    int[] ids = ints(expected.get("ids"));
    StreamDecoder stream = tokenizer.streamDecoder(false);
    StringBuilder text = new StringBuilder();
    for (int id : ids) {
      String piece = stream.next(id);
      assertFalse(piece.contains("\uFFFD"), () -> "broken character in piece '" + piece + "'");
      assertFalse(
          !piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)),
          "piece ends in half a surrogate pair");
      text.append(piece);
    }
    text.append(stream.finish());
    assertEquals(expected.get("decoded").asText(), text.toString());
  }

  @Test
  void longTextIsNotTruncated() throws IOException {
    JsonNode cases = new ObjectMapper().readTree(CORPUS.toFile()).get("cases");
    for (JsonNode c : cases) {
      if (c.get("name").asText().equals("long")) {
        assertTrue(c.get("ids").size() > 512);
        assertEquals(c.get("ids").size(), tokenizer.encode(c.get("text").asText()).length);
        return;
      }
    }
    throw new AssertionError("corpus has no 'long' case");
  }

  @Test
  void streamHoldsBackAnIncompleteCharacterUntilItsLastByte() {
    int[] ids = tokenizer.encode("🫠"); // 4 UTF-8 bytes in 3 tokens: [9284, 104, 254]
    assertEquals(3, ids.length);
    StreamDecoder stream = tokenizer.streamDecoder(false);
    for (int i = 0; i < ids.length - 1; i++) {
      assertEquals("", stream.next(ids[i]));
    }
    assertEquals("🫠", stream.next(ids[ids.length - 1]));
    assertEquals("", stream.finish());
  }

  @Test
  void streamSkipsSpecialTokensWhenAsked() {
    StreamDecoder stream = tokenizer.streamDecoder(true);
    StringBuilder text = new StringBuilder();
    for (int id : tokenizer.encode("Total: 12 EUR<|im_end|>")) {
      text.append(stream.next(id));
    }
    assertEquals("Total: 12 EUR", text.append(stream.finish()).toString());
  }

  @Test
  void looksUpAddedTokensByName() {
    assertEquals(151643, tokenizer.tokenId("<|endoftext|>"));
    assertEquals(151644, tokenizer.tokenId("<|im_start|>"));
    assertEquals(151645, tokenizer.tokenId("<|im_end|>"));
    assertEquals(151652, tokenizer.tokenId("<|vision_start|>"));
    assertEquals(151653, tokenizer.tokenId("<|vision_end|>"));
    assertEquals(151655, tokenizer.tokenId("<|image_pad|>"));
    assertTrue(tokenizer.isSpecial(151655));
    assertFalse(tokenizer.isSpecial(tokenizer.tokenId("<tool_call>")));
    assertFalse(tokenizer.isSpecial(198));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenId("<|nope|>"));
    assertTrue(e.getMessage().contains("<|nope|>"));
  }

  @Test
  void missingFileIsAClearError() {
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class, () -> QwenTokenizer.load(Path.of("no/such/tokenizer.json")));
    assertTrue(e.getMessage().contains("tokenizer.json"));
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
