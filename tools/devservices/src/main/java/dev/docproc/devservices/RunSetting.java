package dev.docproc.devservices;

import java.util.Map;

/**
 * Every setting of the run command: environment variable, default and meaning, in one place (the
 * README's configuration table lists the same).
 */
public enum RunSetting {
  HTTP_PORT("DOCPROC_HTTP_PORT", "8080", "HTTP port of the application (WildFly)"),
  MANAGEMENT_PORT("DOCPROC_MANAGEMENT_PORT", "9990", "WildFly management port (health: /health)"),
  KEYCLOAK_PORT("DOCPROC_KEYCLOAK_PORT", "8180", "Keycloak HTTP port"),
  KAFKA_PORT("DOCPROC_KAFKA_PORT", "9092", "Kafka broker port (KRaft)"),
  KAFKA_CONTROLLER_PORT("DOCPROC_KAFKA_CONTROLLER_PORT", "9093", "Kafka controller port (KRaft)"),
  POSTGRES_PORT("DOCPROC_POSTGRES_PORT", "15432", "PostgreSQL port"),
  VAR_DIR(
      "DOCPROC_VAR_DIR",
      "var",
      "Data and logs of the run command; relative paths start at the repository root");

  private final String env;
  private final String defaultValue;
  private final String doc;

  RunSetting(String env, String defaultValue, String doc) {
    this.env = env;
    this.defaultValue = defaultValue;
    this.doc = doc;
  }

  public String env() {
    return env;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  public String value(Map<String, String> environment) {
    String value = environment.get(env);
    return value == null || value.isBlank() ? defaultValue : value.strip();
  }

  /** The value as a TCP port; anything else is an error that names the variable. */
  public int port(Map<String, String> environment) {
    String value = value(environment);
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw new IllegalArgumentException(env + "=" + value + " is not a TCP port (1-65535)");
  }
}
