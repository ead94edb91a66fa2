package dev.docproc.devservices;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * PostgreSQL 17 from the zonky binaries on Maven Central, with database {@value #DATABASE} owned by
 * role {@value #USER}.
 *
 * <p>As root, zonky runs initdb and postgres in a user namespace ({@code unshare -U}) where they
 * are "nobody", so every folder they write must be writable for anyone: the binaries folder and the
 * data folder's parent are created with mode 1777.
 */
public final class Postgres implements AutoCloseable {

  public static final String DATABASE = "docproc";
  public static final String USER = "docproc";
  public static final String PASSWORD = "docproc";

  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final EmbeddedPostgres server;
  private final int port;

  private Postgres(EmbeddedPostgres server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts PostgreSQL on 127.0.0.1:{@code port} with its cluster in {@code dataDir} (created on
   * first start, kept afterwards).
   */
  public static Postgres start(int port, Path dataDir, Path binariesDir, Path log) {
    try {
      openFolder(binariesDir);
      openFolder(dataDir.getParent());
      Files.createDirectories(log.getParent());
      var redirect = ProcessBuilder.Redirect.appendTo(log.toFile());
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(binariesDir.toFile())
              .setRegisterShutdownHook(false)
              .setPGStartupWait(STARTUP)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setOutputRedirector(redirect)
              .setErrorRedirector(redirect)
              .start();
      var postgres = new Postgres(server, port);
      postgres.createApplicationDatabase();
      return postgres;
    } catch (IOException | SQLException | RuntimeException e) {
      throw new ServiceStartException(
          "PostgreSQL did not start on port " + port + " with data in " + dataDir, log, e);
    }
  }

  private static void openFolder(Path folder) throws IOException {
    Files.createDirectories(folder);
    Files.setAttribute(folder, "unix:mode", 01777);
  }

  /** Creates role and database on the first start of a cluster; later starts find them. */
  private void createApplicationDatabase() throws SQLException {
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      boolean exists;
      try (var rs =
          s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        exists = rs.next();
      }
      if (!exists) {
        s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
      }
    }
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
