package dev.docproc.migrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.migrations.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SchemaMigrationTest {

  private final DataSource db = TestDatabase.shared().dataSource();

  @Test
  void indexListsEveryMigrationInTheFolder() throws IOException {
    List<String> onDisk;
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
      onDisk =
          files
              .map(p -> p.getFileName().toString())
              .filter(name -> name.endsWith(".sql"))
              .sorted()
              .toList();
    }
    assertEquals(
        onDisk,
        new IndexedMigrations(getClass().getClassLoader()).filenames().stream().sorted().toList());
  }

  @Test
  void migratingAgainAppliesNothing() {
    assertEquals(0, SchemaMigrator.migrate(db).migrationsExecuted);
  }

  @Test
  void auditEventsRefuseUpdateDeleteAndTruncate() throws SQLException {
    String tenant = TestDatabase.newTenantId();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("insert into tenants (id) values ('" + tenant + "')");
      s.execute(
          "insert into audit_events (tenant_id, seq, occurred_at, actor, action, details,"
              + " prev_hash, hash) values ('"
              + tenant
              + "', 1, now(), 'alice', 'TEST', '{}', repeat('0', 64), repeat('a', 64))");
      SQLException update =
          assertThrows(
              SQLException.class,
              () ->
                  s.execute(
                      "update audit_events set actor = 'mallory' where tenant_id = '"
                          + tenant
                          + "'"));
      assertTrue(update.getMessage().contains("append-only"), update.getMessage());
      assertThrows(
          SQLException.class,
          () -> s.execute("delete from audit_events where tenant_id = '" + tenant + "'"));
      assertThrows(SQLException.class, () -> s.execute("truncate audit_events"));
    }
  }

  @Test
  void childRowsCannotPointIntoAnotherTenantsDocument() throws SQLException {
    String owner = TestDatabase.newTenantId();
    String intruder = TestDatabase.newTenantId();
    UUID document = UUID.randomUUID();
    try (Connection c = db.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.execute("insert into tenants (id) values ('" + owner + "'), ('" + intruder + "')");
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "insert into documents (id, tenant_id, filename, media_type, size_bytes, sha256,"
                  + " page_count, status, uploaded_by, created_at, updated_at)"
                  + " values (?, ?, 'a.pdf', 'application/pdf', 10, repeat('f', 64), 1,"
                  + " 'RECEIVED', 'alice', now(), now())")) {
        p.setObject(1, document);
        p.setString(2, owner);
        p.executeUpdate();
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "insert into pages (tenant_id, document_id, page_number, width, height, image_png,"
                  + " created_at) values (?, ?, 1, 10, 10, '\\x00', now())")) {
        p.setString(1, intruder);
        p.setObject(2, document);
        SQLException e = assertThrows(SQLException.class, p::executeUpdate);
        assertEquals("23503", e.getSQLState(), "foreign key violation");
      }
    }
  }

  @Test
  void aFailedDocumentMustSayWhy() throws SQLException {
    String tenant = TestDatabase.newTenantId();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("insert into tenants (id) values ('" + tenant + "')");
      SQLException e =
          assertThrows(
              SQLException.class,
              () ->
                  s.execute(
                      "insert into documents (id, tenant_id, filename, media_type, size_bytes,"
                          + " sha256, page_count, status, uploaded_by, created_at, updated_at)"
                          + " values (gen_random_uuid(), '"
                          + tenant
                          + "', 'a.pdf', 'application/pdf', 10, repeat('f', 64), 1, 'FAILED',"
                          + " 'alice', now(), now())"));
      assertEquals("23514", e.getSQLState(), "check violation");
    }
  }
}
