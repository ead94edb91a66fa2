package dev.docproc.devservices;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * PostgreSQL, Kafka and Keycloak: what the application needs around it. They do not depend on each
 * other, so they start in parallel; if one fails, the others are stopped again and the failure says
 * which one and where its log is.
 */
public final class BackingServices implements AutoCloseable {

  /** Ports of the backing services. */
  public record Ports(int postgres, int kafka, int kafkaController, int keycloak) {}

  private final Postgres postgres;
  private final Kafka kafka;
  private final Keycloak keycloak;

  private BackingServices(Postgres postgres, Kafka kafka, Keycloak keycloak) {
    this.postgres = postgres;
    this.kafka = kafka;
    this.keycloak = keycloak;
  }

  public static BackingServices start(Layout layout, Ports ports) {
    var postgres =
        async(
            () ->
                Postgres.start(
                    ports.postgres(),
                    layout.data("postgres"),
                    layout.dataDir().resolve("postgres-binaries"),
                    layout.log("postgres")));
    var kafka =
        async(
            () ->
                Kafka.start(
                    ports.kafka(),
                    ports.kafkaController(),
                    layout.data("kafka"),
                    layout.dataDir().resolve("kafka-config"),
                    layout.log("kafka")));
    var keycloak =
        async(
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
    var services = new BackingServices(pg, k, kc);
    if (!failures.isEmpty()) {
      services.close();
      RuntimeException first = failures.getFirst();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
    return services;
  }

  private static <T> CompletableFuture<T> async(Supplier<T> start) {
    return CompletableFuture.supplyAsync(start, runnable -> Thread.ofPlatform().start(runnable));
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
    for (AutoCloseable service : started) {
      try {
        service.close();
      } catch (Exception e) {
        System.err.println("Could not stop " + service + ": " + e);
      }
    }
  }
}
