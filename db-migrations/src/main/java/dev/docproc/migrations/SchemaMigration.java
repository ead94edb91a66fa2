package dev.docproc.migrations;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Migrates the schema while the application deploys.
 *
 * <p>Every startup bean that touches the schema names this one in {@code @DependsOn}, and WildFly
 * opens the web module only after all startup beans have started, so no request and no consumer
 * sees an old schema. The JPA persistence unit may well start earlier: that is harmless because it
 * is configured to read no tables at boot (no schema validation or generation).
 *
 * <p>Bean-managed transactions: Flyway commits its own work on the connection, which a container
 * transaction would forbid.
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigration {

  private static final Logger LOG = Logger.getLogger(SchemaMigration.class.getName());

  @Resource(lookup = "java:jboss/datasources/DocprocDS")
  private DataSource dataSource;

  @PostConstruct
  void migrate() {
    MigrateResult result = SchemaMigrator.migrate(dataSource);
    LOG.info(
        () ->
            "Schema at version "
                + result.targetSchemaVersion
                + " ("
                + result.migrationsExecuted
                + " migrations applied now)");
  }
}
