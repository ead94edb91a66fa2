package dev.docproc.domain.testing;

import dev.docproc.migrations.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Plain JDBC, to check what is stored independently of the mapping (and, in the integration tests,
 * to tamper with it as an operator could).
 */
public final class Sql {

  /** Where connections come from. */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  private final Connections connections;

  public Sql(Connections connections) {
    this.connections = connections;
  }

  /** The embedded test database of the plain JUnit tests. */
  public static Sql testDatabase() {
    return new Sql(() -> TestDatabase.shared().dataSource().getConnection());
  }

  /** The single long value of a query with positional parameters. */
  public long count(String query, Object... params) {
    try (Connection c = connections.open();
        PreparedStatement p = c.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        p.setObject(i + 1, params[i]);
      }
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(query, e);
    }
  }

  public void execute(String... statements) {
    try (Connection c = connections.open();
        var s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(String.join("; ", statements), e);
    }
  }
}
