package dev.docproc.migrations;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Brings a database to the newest schema version with Flyway. */
public final class SchemaMigrator {

  private SchemaMigrator() {}

  /**
   * Applies the pending migrations. Safe to call from several nodes at once: Flyway holds a
   * PostgreSQL advisory lock while it migrates.
   */
  public static MigrateResult migrate(DataSource dataSource) {
    ClassLoader classLoader = SchemaMigrator.class.getClassLoader();
    return Flyway.configure(classLoader)
        .dataSource(dataSource)
        .resourceProvider(new IndexedMigrations(classLoader))
        .failOnMissingLocations(false)
        .load()
        .migrate();
  }
}
