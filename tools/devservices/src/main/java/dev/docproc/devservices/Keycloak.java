package dev.docproc.devservices;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Keycloak from {@code org.keycloak:keycloak-quarkus-dist} (unpacked by this module's build),
 * started as {@code kc.sh start-dev --import-realm} with realm {@value #REALM}.
 *
 * <p>One unpacked distribution serves every instance: the realm file goes to its fixed import
 * folder {@code data/import}, and each instance keeps its own H2 database in its own data folder
 * (passed as {@code --db-url}), so a test run and the run command never share state. The import is
 * skipped when the database already has the realm, so users and sessions survive a restart.
 */
public final class Keycloak implements AutoCloseable {

  public static final String REALM = "docproc";
  public static final String ADMIN_USER = "admin";
  public static final String ADMIN_PASSWORD = "admin";

  /** The first start after unpacking re-augments Quarkus for dev mode (about 50 s here). */
  private static final Duration STARTUP = Duration.ofSeconds(240);

  private static final String REALM_RESOURCE = "/keycloak/docproc-realm.json";

  private final ChildProcess process;
  private final int port;

  private Keycloak(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  public static Keycloak start(Path home, int port, Path dataDir, Path log) {
    try {
      Path kcSh = home.resolve("bin/kc.sh");
      if (!Files.isRegularFile(kcSh)) {
        throw new IllegalStateException(
            "no Keycloak distribution at " + home + ": build tools/devservices first");
      }
      installRealm(home.resolve("data/import"));
      Files.createDirectories(dataDir);
      List<String> command =
          List.of(
              "/bin/sh",
              kcSh.toString(),
              "start-dev",
              "--http-host=127.0.0.1",
              "--http-port=" + port,
              "--import-realm",
              "--db-url=jdbc:h2:file:"
                  + dataDir.toAbsolutePath().resolve("keycloakdb")
                  + ";NON_KEYWORDS=VALUE");
      Map<String, String> env =
          Map.of(
              "JAVA_HOME",
              System.getProperty("java.home"),
              "JAVA_OPTS_KC_HEAP",
              "-Xms64m -Xmx512m",
              "KC_BOOTSTRAP_ADMIN_USERNAME",
              ADMIN_USER,
              "KC_BOOTSTRAP_ADMIN_PASSWORD",
              ADMIN_PASSWORD);
      // kc.sh runs the JVM as its child, or execs it after a re-augmentation; either way the
      // JVM carries -Dkc.script.pid=<pid of kc.sh>, which finds it if it ever leaves the tree.
      var process =
          ChildProcess.start(
              "Keycloak",
              command,
              env,
              home,
              log,
              kcShPid ->
                  handle ->
                      handle
                          .info()
                          .commandLine()
                          .filter(line -> line.contains("-Dkc.script.pid=" + kcShPid + " "))
                          .isPresent());
      var keycloak = new Keycloak(process, port);
      URI discovery = URI.create(keycloak.realmUrl() + "/.well-known/openid-configuration");
      process.awaitReady(
          () ->
              Readiness.await(
                  process,
                  "realm " + REALM + " not served at " + discovery,
                  STARTUP,
                  () -> Readiness.answers200(discovery)));
      return keycloak;
    } catch (IOException | IllegalStateException e) {
      throw new ServiceStartException("Keycloak could not be started from " + home, log, e);
    }
  }

  private static void installRealm(Path importDir) throws IOException {
    Files.createDirectories(importDir);
    try (InputStream realm = Keycloak.class.getResourceAsStream(REALM_RESOURCE)) {
      Files.copy(
          realm, importDir.resolve("docproc-realm.json"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public int port() {
    return port;
  }

  /** The realm's issuer URL, also the OIDC provider URL the application is given. */
  public String realmUrl() {
    return "http://127.0.0.1:" + port + "/realms/" + REALM;
  }

  public String tokenUrl() {
    return realmUrl() + "/protocol/openid-connect/token";
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
