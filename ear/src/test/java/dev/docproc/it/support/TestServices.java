package dev.docproc.it.support;

import java.net.URI;
import java.nio.file.Path;

/**
 * Addresses of the services under test, as {@link ServicesSession} published them.
 *
 * <p>The keys are the application's own configuration keys, so a test reads exactly what the server
 * was given.
 */
public final class TestServices {

  static final String BASE_URL = "docproc.it.base-url";
  static final String INFERENCE_SETTINGS = "docproc.inference.";

  private TestServices() {}

  /** The application's root, e.g. {@code http://127.0.0.1:41234/}. */
  public static URI baseUrl() {
    return URI.create(get(BASE_URL));
  }

  /** WildFly's management interface, e.g. {@code http://127.0.0.1:41235/} (health: /health). */
  public static URI managementUrl() {
    return URI.create("http://127.0.0.1:" + get("docproc.it.wildfly.management-port") + "/");
  }

  public static String jdbcUrl() {
    return get("docproc.db.url");
  }

  public static String dbUser() {
    return get("docproc.db.user");
  }

  public static String dbPassword() {
    return get("docproc.db.password");
  }

  public static String kafkaBootstrapServers() {
    return get("docproc.kafka.bootstrap-servers");
  }

  /** The Keycloak realm's issuer URL, e.g. {@code http://127.0.0.1:40111/realms/docproc}. */
  public static String realmUrl() {
    return get("docproc.oidc.provider-url");
  }

  /** The model directory the server answers with ({@code docproc.inference.model}). */
  public static Path inferenceModel() {
    return Path.of(get(INFERENCE_SETTINGS + "model"));
  }

  /** The instruction the server asks about every page ({@code docproc.inference.prompt}). */
  public static String inferencePrompt() {
    return get(INFERENCE_SETTINGS + "prompt");
  }

  /** New tokens per answer at most ({@code docproc.inference.max-tokens}). */
  public static int inferenceMaxTokens() {
    return Integer.parseInt(get(INFERENCE_SETTINGS + "max-tokens"));
  }

  private static String get(String key) {
    String value = System.getProperty(key);
    if (value == null) {
      throw new IllegalStateException(key + " is not set: ServicesSession did not run");
    }
    return value;
  }
}
