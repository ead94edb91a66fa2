package dev.docproc.inference.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The model's own chat template rendered as transformers' {@code apply_chat_template} renders it.
 *
 * <p>transformers compiles templates in a Jinja2 {@code ImmutableSandboxedEnvironment} with {@code
 * trim_blocks=True, lstrip_blocks=True} (and Jinja2's default of dropping one trailing newline of
 * the template), adds a {@code raise_exception(message)} global, and renders with {@code messages},
 * {@code add_generation_prompt}, the tokenizer's special tokens ({@code bos_token}, {@code
 * eos_token}, ...) and any extra template arguments. Jinjava is configured the same way, with its
 * Python-compatible behaviours switched on ({@link LegacyOverrides#ALL}) and nested interpretation
 * off, so text inside messages is never run as a template.
 */
public final class ChatTemplate {

  /**
   * Jinjava's switches for Jinja2/Python behaviour, all on except {@code
   * WhitespaceRequiredWithinTokens}, which makes Jinjava reject {@code {%-} at the start of a
   * template (Qwen3's template starts so).
   */
  private static final LegacyOverrides PYTHON_SEMANTICS =
      LegacyOverrides.newBuilder()
          .withEvaluateMapKeys(true)
          .withIterateOverMapKeys(true)
          .withUsePyishObjectMapper(true)
          .withUseSnakeCasePropertyNaming(true)
          .withUseNaturalOperatorPrecedence(true)
          .withParseWhitespaceControlStrictly(true)
          .withAllowAdjacentTextNodes(true)
          .withUseTrimmingForNotesAndExpressions(true)
          .withKeepNullableLoopValues(true)
          .withHandleBackslashInQuotesOnly(true)
          .build();

  private static final Jinjava JINJAVA = newJinjava();

  /**
   * Jinja2's lstrip_blocks: spaces and tabs between the start of a line and a block or comment
   * tag are removed (not before {@code {%+}, nor before {@code {{ }}). Jinjava's own lstrip also
   * strips whitespace before a tag in mid-line ({@code "Picture 1: {% endif %}"} would lose its
   * space), so it is off and the template source is rewritten once instead.
   */
  private static final Pattern LSTRIP_BLOCKS = Pattern.compile("(?m)^[^\\S\\n]+(?=\\{[%#](?!\\+))");

  private final String template;
  private final Map<String, Object> specialTokens; // name -> text, from tokenizer_config.json

  public ChatTemplate(String template, Map<String, String> specialTokens) {
    // Jinja2's keep_trailing_newline=False: one newline at the very end is dropped.
    String source =
        template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
    this.template = LSTRIP_BLOCKS.matcher(source).replaceAll("");
    this.specialTokens = Map.copyOf(specialTokens);
  }

  /**
   * The template of a Hugging Face model directory, looked up where transformers' processor looks:
   * {@code chat_template.jinja}, then {@code chat_template.json}, then the {@code chat_template} of
   * {@code tokenizer_config.json} (a string, or a list of named templates: "default").
   */
  public static ChatTemplate load(Path modelDir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Path tokenizerConfig = modelDir.resolve("tokenizer_config.json");
    JsonNode config =
        Files.isRegularFile(tokenizerConfig)
            ? json.readTree(tokenizerConfig.toFile())
            : json.createObjectNode();
    Map<String, String> specialTokens = specialTokens(config);
    Path jinja = modelDir.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      return new ChatTemplate(Files.readString(jinja), specialTokens);
    }
    Path chatTemplateJson = modelDir.resolve("chat_template.json");
    if (Files.isRegularFile(chatTemplateJson)) {
      return new ChatTemplate(
          json.readTree(chatTemplateJson.toFile()).path("chat_template").asText(), specialTokens);
    }
    JsonNode inConfig = config.path("chat_template");
    if (inConfig.isTextual()) {
      return new ChatTemplate(inConfig.asText(), specialTokens);
    }
    for (JsonNode named : inConfig) {
      if (named.path("name").asText().equals("default")) {
        return new ChatTemplate(named.path("template").asText(), specialTokens);
      }
    }
    throw new NoSuchFileException(
        modelDir.toString(),
        null,
        "no chat template: expected chat_template.jinja, chat_template.json or a chat_template"
            + " in tokenizer_config.json");
  }

  /** Renders {@code messages}; {@code addGenerationPrompt} opens the assistant's turn. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * @param extraVariables further template arguments, e.g. {@code add_vision_id}
   * @throws ChatTemplateException if the template raises or cannot be rendered
   */
  public String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraVariables) {
    Map<String, Object> variables = new HashMap<>(specialTokens);
    variables.putAll(extraVariables);
    variables.put("messages", messages.stream().map(ChatMessage::toTemplateValue).toList());
    variables.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result = JINJAVA.renderForResult(template, variables);
    // Jinjava reports some syntax errors as warnings and then prints the template verbatim, so
    // every reported error fails the render.
    for (TemplateError error : result.getErrors()) {
      for (Throwable t = error.getException(); t != null; t = t.getCause()) {
        if (t instanceof ChatTemplateException raised) {
          throw raised;
        }
      }
    }
    if (!result.getErrors().isEmpty()) {
      TemplateError error = result.getErrors().getFirst();
      throw new ChatTemplateException(
          "chat template failed: " + error.getMessage() + " (line " + error.getLineno() + ")");
    }
    return result.getOutput();
  }

  /** Called by templates as {@code raise_exception("...")}. */
  public static String raiseException(String message) {
    throw new ChatTemplateException("chat template raised: " + message);
  }

  private static Jinjava newJinjava() {
    Jinjava jinjava =
        new Jinjava(
            JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false)
                .withKeepTrailingNewline(true)
                .withFailOnUnknownTokens(false)
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(PYTHON_SEMANTICS)
                .build());
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    return jinjava;
  }

  // tokenizer_config.json writes special tokens as strings or as AddedToken dicts {"content": ..}.
  private static Map<String, String> specialTokens(JsonNode config) {
    Map<String, String> tokens = new HashMap<>();
    for (String name :
        List.of(
            "bos_token",
            "eos_token",
            "unk_token",
            "sep_token",
            "pad_token",
            "cls_token",
            "mask_token")) {
      JsonNode value = config.path(name);
      if (value.isTextual()) {
        tokens.put(name, value.asText());
      } else if (value.has("content")) {
        tokens.put(name, value.get("content").asText());
      }
    }
    return tokens;
  }
}
