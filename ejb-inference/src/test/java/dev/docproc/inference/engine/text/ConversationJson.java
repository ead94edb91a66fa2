package dev.docproc.inference.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Conversations of the reference files (HF content-list form) as {@link ChatMessage}s. */
public final class ConversationJson {

  private ConversationJson() {}

  /** Parts of type "text" are text; "image" and "image_url" parts are images. */
  public static List<ChatMessage> messages(JsonNode json) {
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode m : json) {
      JsonNode content = m.get("content");
      if (content.isTextual()) {
        messages.add(ChatMessage.of(m.get("role").asText(), content.asText()));
        continue;
      }
      List<ChatMessage.Part> parts = new ArrayList<>();
      for (JsonNode part : content) {
        parts.add(
            part.get("type").asText().equals("text")
                ? ChatMessage.text(part.get("text").asText())
                : ChatMessage.image());
      }
      messages.add(new ChatMessage(m.get("role").asText(), null, parts));
    }
    return messages;
  }
}
