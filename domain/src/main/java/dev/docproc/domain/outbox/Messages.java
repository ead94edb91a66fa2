package dev.docproc.domain.outbox;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.util.UUID;

/** Parsing shared by the message records: any malformed input is an IllegalArgumentException. */
final class Messages {

  private Messages() {}

  static JsonObject parse(String json, String type) {
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      JsonObject o = reader.readObject();
      if (!type.equals(o.getString("type", null))) {
        throw new IllegalArgumentException("not a " + type + ": " + json);
      }
      return o;
    } catch (JsonException | ClassCastException e) {
      throw new IllegalArgumentException("not a " + type + ": " + json, e);
    }
  }

  static String string(JsonObject o, String name) {
    String value = o.getString(name, null);
    if (value == null) {
      throw new IllegalArgumentException(name + " missing in " + o);
    }
    return value;
  }

  static UUID uuid(JsonObject o, String name) {
    return UUID.fromString(string(o, name));
  }
}
