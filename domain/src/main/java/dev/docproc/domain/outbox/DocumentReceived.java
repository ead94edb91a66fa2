package dev.docproc.domain.outbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.UUID;

/** Announces a stored upload on {@link Topics#DOCUMENTS}. */
public record DocumentReceived(UUID documentId, String tenantId) {

  public String toJson() {
    return Json.createObjectBuilder()
        .add("type", "DocumentReceived")
        .add("documentId", documentId.toString())
        .add("tenantId", tenantId)
        .build()
        .toString();
  }

  /** Parses a record value; throws {@link IllegalArgumentException} on anything else. */
  public static DocumentReceived fromJson(String json) {
    JsonObject o = Messages.parse(json, "DocumentReceived");
    return new DocumentReceived(Messages.uuid(o, "documentId"), Messages.string(o, "tenantId"));
  }
}
