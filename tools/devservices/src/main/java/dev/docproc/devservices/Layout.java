package dev.docproc.devservices;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where one set of services keeps its data and logs, and where the distributions it starts from
 * were unpacked at build time.
 *
 * @param dataDir one sub-folder per service (postgres, kafka, keycloak, wildfly)
 * @param logDir one log file per service
 * @param keycloakHome the unpacked keycloak-quarkus-dist
 */
public record Layout(Path dataDir, Path logDir, Path keycloakHome) {

  private static final String BUILD_PROPERTIES = "devservices.properties";

  /** Data in {@code base/data}, logs in {@code base/logs}. */
  public static Layout under(Path base) {
    return new Layout(base.resolve("data"), base.resolve("logs"), builtKeycloakHome());
  }

  public Path data(String service) {
    return dataDir.resolve(service);
  }

  public Path log(String service) {
    return logDir.resolve(service + ".log");
  }

  /** The folder this module's build unpacked Keycloak into (see its pom). */
  private static Path builtKeycloakHome() {
    try (InputStream in = Layout.class.getResourceAsStream(BUILD_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException(BUILD_PROPERTIES + " is missing: build tools/devservices");
      }
      var properties = new Properties();
      properties.load(in);
      return Path.of(properties.getProperty("keycloak.home"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
