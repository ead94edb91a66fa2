package dev.docproc.inference.engine.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation, as transformers' {@code apply_chat_template} takes it: a role and
 * either plain text ({@code "content": "..."}) or a list of parts ({@code "content": [{"type":
 * "image"}, {"type": "text", "text": "..."}]}). Templates tell the two apart ({@code content is
 * string}), so both forms exist here. Image parts are placeholders; the images themselves are
 * passed beside the messages, in the order their parts appear.
 *
 * @param text the content when it is a plain string, else null
 * @param parts the content when it is a list, else null
 */
public record ChatMessage(String role, String text, List<Part> parts) {

  /** One element of a list content. */
  public sealed interface Part permits Text, Image {}

  /** {@code {"type": "text", "text": ...}} */
  public record Text(String text) implements Part {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** {@code {"type": "image"}}: where an image goes. */
  public record Image() implements Part {}

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    if ((text == null) == (parts == null)) {
      throw new IllegalArgumentException("a message has either text or parts");
    }
    parts = parts == null ? null : List.copyOf(parts);
  }

  /** A message whose content is a plain string. */
  public static ChatMessage of(String role, String text) {
    return new ChatMessage(role, Objects.requireNonNull(text, "text"), null);
  }

  /** A message whose content is a list of parts. */
  public static ChatMessage of(String role, Part... parts) {
    return new ChatMessage(role, null, List.of(parts));
  }

  public static Text text(String text) {
    return new Text(text);
  }

  public static Image image() {
    return new Image();
  }

  /** Image parts in this message. */
  public int imageCount() {
    return parts == null ? 0 : (int) parts.stream().filter(p -> p instanceof Image).count();
  }

  /** The message as the template sees it: the dict transformers would pass. */
  Map<String, Object> toTemplateValue() {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("role", role);
    if (text != null) {
      message.put("content", text);
    } else {
      List<Map<String, Object>> content = new ArrayList<>();
      for (Part part : parts) {
        Map<String, Object> value = new LinkedHashMap<>();
        switch (part) {
          case Text t -> {
            value.put("type", "text");
            value.put("text", t.text());
          }
          case Image i -> value.put("type", "image");
        }
        content.add(value);
      }
      message.put("content", content);
    }
    return message;
  }
}
