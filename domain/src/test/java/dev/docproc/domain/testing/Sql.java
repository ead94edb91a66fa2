package dev.docproc.domain.testing;

import dev.docproc.migrations.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Plain JDBC on the test database, to check what is stored independently of the mapping. */
public final class Sql {

  private Sql() {}

  /** The single long value of a query with positional parameters. */
  public static long count(String query, Object... params) {
    try (Connection c = TestDatabase.shared().dataSource().getConnection();
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

  public static void execute(String... statements) {
    try (Connection c = TestDatabase.shared().dataSource().getConnection();
        var s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(String.join("; ", statements), e);
    }
  }
}
