package dev.docproc.devservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Galleon-provisioned WildFly with the EAR deployed, for the run command (tests start the same
 * server through Arquillian).
 *
 * <p>The provisioned server stays untouched: this instance has its own base directory ( {@code
 * jboss.server.base.dir}) whose configuration is refreshed from the provisioned one on every start,
 * and the EAR goes into its {@code deployments/} folder for the deployment scanner, whose {@code
 * .deployed} / {@code .failed} marker tells when it is ready.
 */
public final class WildFly implements AutoCloseable {

  /** Boot plus deployment of the EAR (Flyway, Hibernate, Kafka consumers). */
  private static final Duration STARTUP = Duration.ofSeconds(300);

  private final ChildProcess process;
  private final int port;

  private WildFly(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code serverHome} (provisioned) with {@code baseDir} as its base directory, deploys
   * {@code ear} and waits until the deployment succeeded.
   *
   * @param systemProperties passed as {@code -Dkey=value}: the application's configuration
   */
  public static WildFly start(
      Path serverHome,
      Path baseDir,
      Path ear,
      int port,
      int managementPort,
      Map<String, String> systemProperties,
      Path log) {
    try {
      Path script = serverHome.resolve("bin/standalone.sh");
      if (!Files.isRegularFile(script) || !Files.isRegularFile(ear)) {
        throw new IllegalStateException(
            "no provisioned server at " + serverHome + " or no " + ear + ": build the ear module");
      }
      Path deployments = prepareBaseDir(serverHome, baseDir);
      Path deployed = deployments.resolve(ear.getFileName());
      Files.copy(ear, deployed, StandardCopyOption.REPLACE_EXISTING);
      List<String> command = new ArrayList<>();
      command.addAll(
          List.of(
              "/bin/sh",
              script.toString(),
              "-b",
              "127.0.0.1",
              "-bmanagement",
              "127.0.0.1",
              "-Djboss.server.base.dir=" + baseDir.toAbsolutePath(),
              "-Djboss.http.port=" + port,
              "-Djboss.management.http.port=" + managementPort));
      systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
      var process =
          ChildProcess.start(
              "WildFly",
              command,
              Map.of("JAVA_HOME", System.getProperty("java.home")),
              serverHome,
              log);
      Path marker = deployments.resolve(ear.getFileName() + ".deployed");
      Path failed = deployments.resolve(ear.getFileName() + ".failed");
      process.awaitReady(
          () ->
              Readiness.await(
                  process,
                  ear.getFileName() + " not deployed (no " + marker.getFileName() + ")",
                  STARTUP,
                  () -> {
                    if (Files.exists(failed)) {
                      throw new ServiceStartException(
                          "WildFly could not deploy " + ear.getFileName() + ": " + read(failed),
                          log);
                    }
                    return Files.exists(marker);
                  }));
      return new WildFly(process, port);
    } catch (IOException | IllegalStateException e) {
      throw new ServiceStartException("WildFly could not be started from " + serverHome, log, e);
    }
  }

  /**
   * Copies the provisioned configuration into the base directory and clears deployment markers left
   * by the previous run; data/ (transaction logs etc.) stays.
   */
  private static Path prepareBaseDir(Path serverHome, Path baseDir) throws IOException {
    Path provisioned = serverHome.resolve("standalone/configuration");
    Path configuration = baseDir.resolve("configuration");
    Files.createDirectories(configuration);
    try (Stream<Path> files = Files.list(provisioned)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(
            file, configuration.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path deployments = baseDir.resolve("deployments");
    Files.createDirectories(deployments);
    try (Stream<Path> files = Files.list(deployments)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    return deployments;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e + ")";
    }
  }

  ChildProcess process() {
    return process;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  @Override
  public void close() {
    process.close();
  }
}
