package dev.docproc.inference.engine.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders of the Qwen2-VL chat template, byte for byte against transformers' {@code
 * apply_chat_template} (reference/chat/io_renders.json, written by tools/reference/io_cases.py).
 */
class ChatTemplateTest {

  static final Path REFERENCE = Path.of("src/test/resources/reference/chat");

  static Stream<Arguments> renders() throws IOException {
    JsonNode root = new ObjectMapper().readTree(REFERENCE.resolve("io_renders.json").toFile());
    ChatTemplate template = new ChatTemplate(root.get("chat_template").asText(), Map.of());
    List<Arguments> out = new ArrayList<>();
    for (JsonNode r : root.get("renders")) {
      String label =
          r.get("name").asText()
              + " gen="
              + r.get("add_generation_prompt").asBoolean()
              + " "
              + r.get("template_kwargs");
      out.add(Arguments.of(label, template, r));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void rendersAsApplyChatTemplate(String label, ChatTemplate template, JsonNode expected) {
    Map<String, Object> kwargs = new HashMap<>();
    expected
        .get("template_kwargs")
        .properties()
        .forEach(e -> kwargs.put(e.getKey(), e.getValue().asBoolean()));
    String text =
        template.render(
            ConversationJson.messages(expected.get("messages")),
            expected.get("add_generation_prompt").asBoolean(),
            kwargs);
    assertEquals(expected.get("text").asText(), text);
  }

  static Stream<Arguments> jinjaSnippets() throws IOException {
    JsonNode root = new ObjectMapper().readTree(REFERENCE.resolve("io_renders.json").toFile());
    List<Arguments> out = new ArrayList<>();
    root.get("jinja_snippets").forEach(s -> out.add(Arguments.of(s.get("name").asText(), s)));
    return out.stream();
  }

  /** Jinja2 features other templates use, against transformers' own Jinja environment. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("jinjaSnippets")
  void followsJinja2AsTransformersConfiguresIt(String name, JsonNode snippet) {
    ChatTemplate template = new ChatTemplate(snippet.get("template").asText(), Map.of());
    assertEquals(
        snippet.get("text").asText(),
        template.render(ConversationJson.messages(snippet.get("messages")), false));
  }

  @Test
  void pythonStringMethodsAreAClearErrorNotGarbage() {
    ChatTemplate template =
        new ChatTemplate("{% if messages[0].content.startswith('<') %}x{% endif %}", Map.of());
    ChatTemplateException e =
        assertThrows(
            ChatTemplateException.class,
            () -> template.render(List.of(ChatMessage.of("user", "<hi>")), false));
    assertTrue(e.getMessage().contains("startswith"), e.getMessage());
  }

  @Test
  void loadsTheTemplateOfAModelDirectory() throws IOException {
    ChatTemplate template = ChatTemplate.load(REFERENCE.resolve("io_qwen2_5_vl"));
    String text =
        template.render(
            List.of(ChatMessage.of("user", ChatMessage.image(), ChatMessage.text("Total?"))), true);
    assertEquals(
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Total?<|im_end|>\n"
            + "<|im_start|>assistant\n",
        text);
  }

  @Test
  void prefersChatTemplateJinjaAndDropsOneTrailingNewlineAsJinja2Does(@TempDir Path dir)
      throws IOException {
    Files.writeString(
        dir.resolve("chat_template.jinja"), "{{ bos_token }}{{ messages[0]['content'] }}\n");
    Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"json\"}");
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<s>\"}}");
    assertEquals(
        "<s>hi", ChatTemplate.load(dir).render(List.of(ChatMessage.of("user", "hi")), false));
  }

  @Test
  void readsTheDefaultOfNamedTemplatesInTokenizerConfig(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"eos_token\": \"</s>\", \"chat_template\": [{\"name\": \"tool_use\", \"template\": \"t\"},"
            + " {\"name\": \"default\", \"template\": \"{% for m in messages %}{{ m.role }}{%"
            + " endfor %}{{ eos_token }}\"}]}");
    assertEquals(
        "user</s>", ChatTemplate.load(dir).render(List.of(ChatMessage.of("user", "x")), false));
  }

  @Test
  void raiseExceptionInTheTemplateIsAnError() {
    ChatTemplate template =
        new ChatTemplate(
            "{% if messages[0]['role'] != 'user' %}{{ raise_exception('first message must be the"
                + " user') }}{% endif %}ok",
            Map.of());
    assertEquals("ok", template.render(List.of(ChatMessage.of("user", "x")), false));
    ChatTemplateException e =
        assertThrows(
            ChatTemplateException.class,
            () -> template.render(List.of(ChatMessage.of("assistant", "x")), false));
    assertTrue(e.getMessage().contains("first message must be the user"), e.getMessage());
  }

  @Test
  void modelDirectoryWithoutTemplateIsAClearError(@TempDir Path dir) {
    IOException e = assertThrows(IOException.class, () -> ChatTemplate.load(dir));
    assertTrue(e.getMessage().contains("chat_template.jinja"), e.getMessage());
  }
}
