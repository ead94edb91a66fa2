package dev.docproc.inference.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where models come from, with the Hugging Face environment variables' meanings: {@code HF_HOME}
 * (default {@code ~/.cache/huggingface}), {@code HF_HUB_CACHE} (default {@code $HF_HOME/hub}),
 * {@code HF_ENDPOINT} (default {@code https://huggingface.co}), {@code HF_TOKEN} (else the file
 * {@code $HF_HOME/token}), {@code HF_HUB_OFFLINE} (1/true: never touch the network).
 */
public record HubSettings(Path cache, String endpoint, String token, boolean offline) {

  public static HubSettings fromEnvironment() {
    return from(System.getenv());
  }

  static HubSettings from(Map<String, String> env) {
    Path home =
        env.containsKey("HF_HOME")
            ? Path.of(env.get("HF_HOME"))
            : Path.of(System.getProperty("user.home"), ".cache", "huggingface");
    Path cache =
        env.containsKey("HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE")) : home.resolve("hub");
    String endpoint =
        env.getOrDefault("HF_ENDPOINT", "https://huggingface.co").replaceAll("/+$", "");
    String token = env.get("HF_TOKEN");
    Path tokenFile = home.resolve("token");
    if ((token == null || token.isBlank()) && Files.isReadable(tokenFile)) {
      try {
        token = Files.readString(tokenFile).strip();
      } catch (IOException e) {
        token = null;
      }
    }
    String off = env.getOrDefault("HF_HUB_OFFLINE", "");
    boolean offline =
        off.equals("1") || off.equalsIgnoreCase("true") || off.equalsIgnoreCase("yes");
    return new HubSettings(
        cache, endpoint, token == null || token.isBlank() ? null : token, offline);
  }
}
