package dev.docproc.devservices;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A single-node Kafka 4 cluster in KRaft mode (one process is broker and controller).
 *
 * <p>It runs as a child JVM, {@code kafka.Kafka server.properties}, on the class path that the
 * kafka-broker module resolved from Maven Central, not in-process via KafkaRaftServer: the broker's
 * Scala, Jackson and log4j jars then never meet the test or launcher class path (the parent pom
 * pins a different Jackson), the run command and the tests start it the same way as a real
 * deployment does, and a broker crash cannot take the test JVM with it. The price is a second JVM
 * start, about 3 s.
 */
public final class Kafka implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final String CLASSPATH_RESOURCE = "kafka-broker.classpath";

  private final ChildProcess process;
  private final int port;

  private Kafka(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the broker on 127.0.0.1:{@code port} (controller on {@code controllerPort}) with its log
   * directory in {@code dataDir}, formatting the storage on the first start.
   */
  public static Kafka start(int port, int controllerPort, Path dataDir, Path configDir, Path log) {
    try {
      Files.createDirectories(configDir);
      Path properties = configDir.resolve("server.properties");
      Files.writeString(properties, serverProperties(port, controllerPort, dataDir));
      Path log4j = configDir.resolve("log4j2.properties");
      Files.writeString(log4j, LOG4J2);
      if (!Files.exists(dataDir.resolve("meta.properties"))) {
        format(properties, log4j, configDir, log);
      }
      var process =
          ChildProcess.start(
              "Kafka", java(log4j, "kafka.Kafka", properties.toString()), Map.of(), configDir, log);
      var kafka = new Kafka(process, port);
      process.awaitReady(
          () -> {
            Readiness.await(
                process,
                "nothing listens on 127.0.0.1:" + port,
                STARTUP,
                () -> Readiness.acceptsConnections(port));
            kafka.awaitMetadata();
          });
      return kafka;
    } catch (IOException e) {
      throw new ServiceStartException("Kafka could not be prepared in " + configDir, log, e);
    }
  }

  private static void format(Path properties, Path log4j, Path configDir, Path log)
      throws IOException {
    var command =
        java(
            log4j,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            clusterId(),
            "-c",
            properties.toString());
    try (var format =
        ChildProcess.start("Kafka storage format", command, Map.of(), configDir, log)) {
      if (!format.process().waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)
          || format.process().exitValue() != 0) {
        throw new ServiceStartException("Formatting Kafka's storage failed", log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceStartException("Interrupted while formatting Kafka's storage", log, e);
    }
  }

  private static List<String> java(Path log4j, String mainClass, String... args) {
    var command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m",
                "-Xmx512m",
                "-Dlog4j2.configurationFile=" + log4j,
                "-cp",
                brokerClasspath(),
                mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** The absolute jar paths the kafka-broker module wrote at build time. */
  private static String brokerClasspath() {
    try (InputStream in = Kafka.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CLASSPATH_RESOURCE + " is missing: build tools/kafka-broker first");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A cluster id as {@code kafka-storage random-uuid} makes it: 16 random bytes, base64url. */
  private static String clusterId() {
    UUID uuid = UUID.randomUUID();
    var bytes =
        ByteBuffer.allocate(16)
            .putLong(uuid.getMostSignificantBits())
            .putLong(uuid.getLeastSignificantBits())
            .array();
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return id.startsWith("-") ? clusterId() : id;
  }

  private static String serverProperties(int port, int controllerPort, Path dataDir) {
    return """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:%2$d
        listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
        advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
        controller.listener.names=CONTROLLER
        inter.broker.listener.name=PLAINTEXT
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        log.dirs=%3$s
        num.partitions=3
        offsets.topic.replication.factor=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        """
        .formatted(port, controllerPort, dataDir.toAbsolutePath());
  }

  private static final String LOG4J2 =
      """
      rootLogger.level = INFO
      rootLogger.appenderRef.stdout.ref = STDOUT
      appender.stdout.type = Console
      appender.stdout.name = STDOUT
      appender.stdout.layout.type = PatternLayout
      appender.stdout.layout.pattern = [%d] %p %m (%c)%n
      """;

  /** The port opens before the broker has caught up with the controller: ask for the nodes. */
  private void awaitMetadata() {
    var config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin admin = Admin.create(config)) {
      Readiness.await(
          process,
          "the broker on " + bootstrapServers() + " listed no nodes",
          STARTUP,
          () -> {
            try {
              return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
            } catch (Exception notYet) {
              return false;
            }
          });
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
