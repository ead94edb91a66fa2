package dev.docproc.inference.engine.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.docproc.inference.engine.text.ChatMessage;
import dev.docproc.inference.engine.text.ConversationJson;
import dev.docproc.inference.engine.text.QwenVocabulary;
import dev.docproc.inference.engine.vision.preprocess.ImageInput;
import dev.docproc.inference.engine.vision.preprocess.PixelValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The processor against transformers' Qwen2_5_VLProcessor (PIL image backend) on the real Qwen
 * vocabulary: rendered text, input_ids with expanded image pads, grids and pixel_values
 * (reference/chat/io_processor_cases.json, written by tools/reference/io_cases.py).
 */
class QwenVLProcessorTest {

  static final Path REFERENCE = Path.of("src/test/resources/reference");
  @TempDir static Path modelDir;
  static QwenVLProcessor processor;
  static Map<String, Path> imagesByName = new HashMap<>();

  @BeforeAll
  static void load() throws IOException {
    try (Stream<Path> files = Files.list(REFERENCE.resolve("chat/io_qwen2_5_vl"))) {
      for (Path f : files.toList()) {
        Files.copy(f, modelDir.resolve(f.getFileName()));
      }
    }
    Files.copy(QwenVocabulary.tokenizerJson(), modelDir.resolve("tokenizer.json"));
    processor = QwenVLProcessor.load(modelDir);
    for (JsonNode c : json("preprocess/io_cases.json").get("cases")) {
      imagesByName.put(c.get("name").asText(), REFERENCE.resolve(c.get("image").asText()));
    }
  }

  @AfterAll
  static void close() {
    processor.close();
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    json("chat/io_processor_cases.json")
        .get("cases")
        .forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTransformersProcessor(String name, JsonNode expected) throws IOException {
    List<ImageInput> images = new ArrayList<>();
    for (JsonNode image : expected.get("images")) {
      images.add(ImageInput.of(Files.readAllBytes(imagesByName.get(image.asText()))));
    }
    Prompt prompt = processor.prepare(ConversationJson.messages(expected.get("messages")), images);

    assertEquals(expected.get("text").asText(), prompt.text());
    assertArrayEquals(ints(expected.get("input_ids")), prompt.inputIds());
    assertEquals(expected.get("image_grid_thw").size(), prompt.images().size());
    for (int i = 0; i < prompt.images().size(); i++) {
      PixelValues p = prompt.images().get(i);
      assertArrayEquals(
          ints(expected.get("image_grid_thw").get(i)), new int[] {p.gridT(), p.gridH(), p.gridW()});
    }
    if (!prompt.images().isEmpty()) {
      assertEquals(expected.get("pixel_values_sha256").asText(), sha256(prompt.images()));
    }
  }

  @Test
  void imageCountMustMatchImageParts() {
    List<ChatMessage> messages =
        List.of(ChatMessage.of("user", ChatMessage.image(), ChatMessage.text("Total?")));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> processor.prepare(messages, List.of()));
    assertTrue(e.getMessage().contains("1 image parts but 0 images"), e.getMessage());
  }

  @Test
  void imagePadTypedIntoTheTextIsRefused() throws IOException {
    byte[] png = Files.readAllBytes(imagesByName.get("rgb_56x84"));
    List<ChatMessage> messages =
        List.of(
            ChatMessage.of(
                "user", ChatMessage.image(), ChatMessage.text("<|image_pad|> what is this?")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> processor.prepare(messages, List.of(ImageInput.of(png))));
    assertTrue(e.getMessage().contains("2 <|image_pad|> tokens but 1 images"), e.getMessage());
  }

  static JsonNode json(String path) throws IOException {
    return new ObjectMapper().readTree(REFERENCE.resolve(path).toFile());
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  /** sha256 of the images' pixel_values concatenated as transformers concatenates them. */
  static String sha256(List<PixelValues> images) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (PixelValues p : images) {
        ByteBuffer bytes = ByteBuffer.allocate(p.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(p.data());
        digest.update(bytes.array());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
