package dev.docproc.devservices;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The run command: PostgreSQL, Kafka, Keycloak and WildFly with the EAR, in the foreground, with
 * their data under {@code var/} so that a restart finds it again. Ctrl-C (or SIGTERM) stops
 * everything it started.
 *
 * <p>Arguments: repository root, provisioned server folder, EAR file.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Main <repository root> <provisioned server> <ear file>");
      System.exit(2);
    }
    Path root = Path.of(args[0]).toAbsolutePath();
    Path server = Path.of(args[1]).toAbsolutePath();
    Path ear = Path.of(args[2]).toAbsolutePath();
    Map<String, String> env = System.getenv();
    Layout layout = Layout.under(root.resolve(RunSetting.VAR_DIR.value(env)));
    var ports =
        new BackingServices.Ports(
            RunSetting.POSTGRES_PORT.port(env),
            RunSetting.KAFKA_PORT.port(env),
            RunSetting.KAFKA_CONTROLLER_PORT.port(env),
            RunSetting.KEYCLOAK_PORT.port(env));
    int httpPort = RunSetting.HTTP_PORT.port(env);

    long started = System.nanoTime();
    System.out.println("Starting PostgreSQL, Kafka and Keycloak (logs in " + layout.logDir() + ")");
    var platform = new Platform(layout);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(platform::close));
    BackingServices services = platform.startBackingServices(ports);
    System.out.printf("Backing services up after %.0f s; starting WildFly%n", seconds(started));
    WildFly wildfly =
        platform.startWildFly(
            server, ear, httpPort, RunSetting.MANAGEMENT_PORT.port(env), services);
    System.out.printf("docproc is up after %.0f s%n%n", seconds(started));
    System.out.println(banner(wildfly, services, layout));
    platform.awaitUnexpectedExit();
    System.exit(1);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String banner(WildFly wildfly, BackingServices services, Layout layout) {
    return """
        Web UI:        %1$s
        API:           %1$sapi/v1  (OpenAPI: %1$sopenapi)
        Keycloak:      http://127.0.0.1:%2$d/admin  (admin / %3$s)
        OIDC provider: %4$s
        PostgreSQL:    %5$s  (user %6$s / %7$s)
        Kafka:         %8$s
        Data and logs: %9$s, %10$s

        Demo users (password: <name>-demo):
          tenant acme:   alice (uploader, reviewer), carol (admin)
          tenant globex: bob (uploader, reviewer), dave (reviewer)
          ERP client:    erp-acme / erp-acme-demo-secret (client credentials, tenant acme)

        Press Ctrl-C to stop everything.
        """
        .formatted(
            wildfly.url(),
            services.keycloak().port(),
            Keycloak.ADMIN_PASSWORD,
            services.keycloak().realmUrl(),
            services.postgres().jdbcUrl(),
            Postgres.USER,
            Postgres.PASSWORD,
            services.kafka().bootstrapServers(),
            layout.dataDir(),
            layout.logDir());
  }

  /** What the run command started, stopped once by the shutdown hook. */
  private static final class Platform {
    private final Layout layout;
    private volatile BackingServices services;
    private volatile WildFly wildfly;
    private volatile boolean stopping;
    private final CompletableFuture<String> unexpectedExit = new CompletableFuture<>();

    Platform(Layout layout) {
      this.layout = layout;
    }

    BackingServices startBackingServices(BackingServices.Ports ports) {
      services = BackingServices.start(layout, ports);
      watch(services.kafka().process());
      watch(services.keycloak().process());
      return services;
    }

    WildFly startWildFly(
        Path server, Path ear, int httpPort, int managementPort, BackingServices services) {
      wildfly =
          WildFly.start(
              server,
              layout.data("wildfly"),
              ear,
              httpPort,
              managementPort,
              services.applicationProperties(),
              layout.log("wildfly"));
      watch(wildfly.process());
      return wildfly;
    }

    private void watch(ChildProcess process) {
      process
          .process()
          .onExit()
          .thenRun(
              () -> {
                if (!stopping) {
                  unexpectedExit.complete(
                      process.service()
                          + " stopped (exit code "
                          + process.process().exitValue()
                          + "); its log: "
                          + process.log());
                }
              });
    }

    void awaitUnexpectedExit() {
      System.err.println(unexpectedExit.join() + "; stopping the rest");
    }

    void close() {
      stopping = true;
      if (wildfly != null) {
        System.out.println("Stopping WildFly");
        wildfly.close();
      }
      if (services != null) {
        System.out.println("Stopping Keycloak, Kafka and PostgreSQL");
        services.close();
      }
      System.out.println("Stopped.");
    }
  }
}
