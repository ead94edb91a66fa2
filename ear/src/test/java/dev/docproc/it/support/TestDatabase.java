package dev.docproc.it.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** JDBC access to the test database, the one the deployed application uses. */
public final class TestDatabase {

  private TestDatabase() {}

  public static Connection connect() throws SQLException {
    return DriverManager.getConnection(
        TestServices.jdbcUrl(), TestServices.dbUser(), TestServices.dbPassword());
  }
}
