package dev.docproc.domain.outbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.UUID;

/**
 * A rendered page ready for inference, on {@link Topics#PAGES}: enough to load the page image
 * ({@code tenantId}, {@code documentId}, {@code pageNumber}) and to place the answer.
 */
public record PageTask(
    UUID documentId, String tenantId, int pageNumber, int pageCount, int width, int height) {

  public String toJson() {
    return Json.createObjectBuilder()
        .add("type", "PageTask")
        .add("documentId", documentId.toString())
        .add("tenantId", tenantId)
        .add("pageNumber", pageNumber)
        .add("pageCount", pageCount)
        .add("width", width)
        .add("height", height)
        .build()
        .toString();
  }

  /** Parses a record value; throws {@link IllegalArgumentException} on anything else. */
  public static PageTask fromJson(String json) {
    JsonObject o = Messages.parse(json, "PageTask");
    return new PageTask(
        Messages.uuid(o, "documentId"),
        Messages.string(o, "tenantId"),
        o.getInt("pageNumber"),
        o.getInt("pageCount"),
        o.getInt("width"),
        o.getInt("height"));
  }
}
