package dev.idempo.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresServerExtension.class)
class PostgresServerTest {

  @Test
  void acceptsJdbcConnectionsAsTheConfiguredUser(PostgresServer postgres) throws SQLException {
    assertEquals("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/idempo", postgres.jdbcUrl());
    assertEquals("1", query(postgres.jdbcUrl(), postgres, "select 1"));
    assertEquals(postgres.user(), query(postgres.jdbcUrl(), postgres, "select current_user"));
    assertEquals(
        postgres.database(), query(postgres.jdbcUrl(), postgres, "select current_database()"));
  }

  @Test
  void psqlConnectsOverTcp(PostgresServer postgres) throws Exception {
    Process psql =
        new ProcessBuilder(
                "psql",
                "-X",
                "-h",
                postgres.host(),
                "-p",
                Integer.toString(postgres.port()),
                "-U",
                postgres.user(),
                "-d",
                postgres.database(),
                "-w",
                "-tAc",
                "select 1")
            .redirectErrorStream(true)
            .start();
    String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(psql.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, psql.exitValue(), output);
    assertEquals("1", output.strip());
  }

  @Test
  void createdDatabaseIsIsolatedFromTheDefaultOne(PostgresServer postgres) throws SQLException {
    String url = postgres.createDatabase("isolated_" + ProcessHandle.current().pid());
    execute(url, postgres, "create table only_here (id int)");
    assertEquals(
        "1",
        query(
            url,
            postgres,
            "select count(*) from information_schema.tables where table_name = 'only_here'"));
    assertEquals(
        "0",
        query(
            postgres.jdbcUrl(),
            postgres,
            "select count(*) from information_schema.tables where table_name = 'only_here'"));
    assertThrows(
        IllegalArgumentException.class, () -> postgres.createDatabase("Robert'); drop table x;--"));
  }

  @Test
  void runsAsAnUnprivilegedUserWhenTheJvmIsRootAndAsTheCurrentUserOtherwise(PostgresServer postgres)
      throws Exception {
    Path dataDirectory = Path.of(query(postgres.jdbcUrl(), postgres, "show data_directory"));
    String expectedOwner =
        ExternalCommand.runningAsRoot()
            ? ServerUser.UNPRIVILEGED_NAME
            : System.getProperty("user.name");
    assertEquals(expectedOwner, Files.getOwner(dataDirectory).getName());
  }

  @Test
  void pgStatStatementsCountsStatements(PostgresServer postgres) throws SQLException {
    // Debian's postgresql package ships pg_stat_statements, and the store benchmarks rely on it.
    assertTrue(
        postgres.hasPgStatStatements(),
        "pg_stat_statements is missing: apt-get install postgresql-contrib");
    String url = postgres.createDatabase("statements_" + ProcessHandle.current().pid());
    execute(url, postgres, "select 42 as counted_statement");
    assertEquals(
        "1",
        query(
            url,
            postgres,
            "select count(*) from pg_stat_statements where query like 'select $1 as counted_statement'"));
  }

  @Test
  void killedServerRestartsOnTheSamePortWithItsCommittedData() throws SQLException {
    try (PostgresServer postgres = PostgresServer.start()) {
      int port = postgres.port();
      execute(
          postgres.jdbcUrl(),
          postgres,
          "create table survivor (id int); insert into survivor values (7)");

      postgres.kill();
      assertFalse(postgres.isRunning());
      assertFalse(LoopbackPort.isAccepting(port));

      postgres.restart();
      assertEquals(port, postgres.port());
      assertEquals("7", query(postgres.jdbcUrl(), postgres, "select id from survivor"));
    }
  }

  @Test
  void stopClosesThePortAndDeletesTheDirectory() {
    PostgresServer postgres = PostgresServer.start();
    Path directory = postgres.logFile().getParent();

    postgres.stop();

    assertFalse(postgres.isRunning());
    assertFalse(LoopbackPort.isAccepting(postgres.port()));
    assertFalse(Files.exists(directory));
  }

  @Test
  void sharedServerIsStartedOnceAndCannotBeStoppedByATest(PostgresServer postgres) {
    assertSame(PostgresServer.shared(), postgres);
    assertThrows(IllegalStateException.class, postgres::stop);
    assertThrows(IllegalStateException.class, postgres::restart);
  }

  @Test
  void serverThatCannotStartFailsWithItsLog() {
    ServerStartException failure =
        assertThrows(
            ServerStartException.class, () -> PostgresServer.start("-c", "no_such_setting=1"));
    assertTrue(failure.getMessage().contains("no_such_setting"), failure.getMessage());
  }

  private static String query(String url, PostgresServer postgres, String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(url, postgres.user(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      assertTrue(result.next());
      return result.getString(1);
    }
  }

  private static void execute(String url, PostgresServer postgres, String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(url, postgres.user(), postgres.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
