package dev.docproc.devservices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * PostgreSQL, Kafka and Keycloak: what the application needs around it. They do not depend on each
 * other, so they start in parallel; if one fails, the others are stopped again and the failure says
 * which one and where its log is.
 */
public final class BackingServices implements AutoCloseable {

  /** Ports of the backing services. */
  public record Ports(int postgres, int kafka, int kafkaController, int keycloak) {}

  /** What happens to data an earlier start left in the layout. */
  public enum Data {
    /** The run command: documents, topics and users survive a restart. */
    KEEP,
    /** Tests: every test JVM starts from empty databases and topics. */
    FRESH
  }

  private static final List<String> SERVICE_FOLDERS =
      List.of("postgres", "kafka", "kafka-config", "keycloak", "wildfly");

  private final DataDirLock lock;
  private final Postgres postgres;
  private final Kafka kafka;
  private final Keycloak keycloak;

  private BackingServices(DataDirLock lock, Postgres postgres, Kafka kafka, Keycloak keycloak) {
    this.lock = lock;
    this.postgres = postgres;
    this.kafka = kafka;
    this.keycloak = keycloak;
  }

  /**
   * Starts the three services with their data under {@code layout}, which stays locked until {@link
   * #close()}; processes left behind by an earlier run on the same data are stopped first.
   */
  public static BackingServices start(Layout layout, Ports ports, Data data) {
    var lock = DataDirLock.acquire(layout.dataDir());
    try {
      if (data == Data.FRESH) {
        SERVICE_FOLDERS.forEach(folder -> deleteRecursively(layout.data(folder)));
      }
      requireFree(ports);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    var postgres =
        async(
            "PostgreSQL",
            () ->
                Postgres.start(
                    ports.postgres(),
                    layout.data("postgres"),
                    layout.dataDir().resolve("postgres-binaries"),
                    layout.log("postgres")));
    var kafka =
        async(
            "Kafka",
            () ->
                Kafka.start(
                    ports.kafka(),
                    ports.kafkaController(),
                    layout.data("kafka"),
                    layout.dataDir().resolve("kafka-config"),
                    layout.log("kafka")));
    var keycloak =
        async(
            "Keycloak",
            () ->
                Keycloak.start(
                    layout.keycloakHome(),
                    ports.keycloak(),
                    layout.data("keycloak"),
                    layout.log("keycloak")));
    List<RuntimeException> failures = new ArrayList<>();
    Postgres pg = join(postgres, failures);
    Kafka k = join(kafka, failures);
    Keycloak kc = join(keycloak, failures);
    var services = new BackingServices(lock, pg, k, kc);
    if (!failures.isEmpty()) {
      services.close();
      RuntimeException first = failures.getFirst();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
    return services;
  }

  /** Checked after leftovers of an earlier run were stopped, so a port in use is someone else's. */
  private static void requireFree(Ports ports) {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    wanted.put("PostgreSQL", ports.postgres());
    wanted.put("Kafka", ports.kafka());
    wanted.put("Kafka controller", ports.kafkaController());
    wanted.put("Keycloak", ports.keycloak());
    List<String> taken = new ArrayList<>();
    wanted.forEach(
        (service, port) -> {
          if (Readiness.acceptsConnections(port)) {
            taken.add(port + " (" + service + ")");
          }
        });
    if (!taken.isEmpty()) {
      throw new IllegalStateException(
          "ports in use on 127.0.0.1 by another program: " + String.join(", ", taken));
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clear " + dir, e);
    }
  }

  /** Starts a service on its own thread and reports how long it took to become ready. */
  private static <T> CompletableFuture<T> async(String service, Supplier<T> start) {
    return CompletableFuture.supplyAsync(
        () -> {
          long begin = System.nanoTime();
          T started = start.get();
          System.out.printf("%s ready after %.1f s%n", service, (System.nanoTime() - begin) / 1e9);
          return started;
        },
        runnable -> Thread.ofPlatform().start(runnable));
  }

  private static <T> T join(CompletableFuture<T> future, List<RuntimeException> failures) {
    try {
      return future.join();
    } catch (CompletionException e) {
      failures.add(
          e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e));
      return null;
    }
  }

  public Postgres postgres() {
    return postgres;
  }

  public Kafka kafka() {
    return kafka;
  }

  public Keycloak keycloak() {
    return keycloak;
  }

  /**
   * The application's configuration pointing at these services, as system properties (the
   * MicroProfile Config keys and the datasource expressions in the server configuration).
   */
  public Map<String, String> applicationProperties() {
    var properties = new LinkedHashMap<String, String>();
    properties.put("docproc.db.url", postgres.jdbcUrl());
    properties.put("docproc.db.user", Postgres.USER);
    properties.put("docproc.db.password", Postgres.PASSWORD);
    properties.put("docproc.kafka.bootstrap-servers", kafka.bootstrapServers());
    properties.put("docproc.oidc.provider-url", keycloak.realmUrl());
    return properties;
  }

  /** Stops what started, in reverse order; each stop is tried even if an earlier one fails. */
  @Override
  public void close() {
    List<AutoCloseable> started = new ArrayList<>();
    if (keycloak != null) started.add(keycloak);
    if (kafka != null) started.add(kafka);
    if (postgres != null) started.add(postgres);
    started.add(lock);
    for (AutoCloseable service : started) {
      try {
        service.close();
      } catch (Exception e) {
        System.err.println("Could not stop " + service + ": " + e);
      }
    }
  }
}
