package dev.idempo.spring;

import dev.idempo.spring.testapp.Executions;
import dev.idempo.spring.testapp.TestApplication;
import dev.idempo.testsupport.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The test application on a random port with the JDBC store on the shared PostgreSQL server; one
 * Spring context for every subclass (same configuration, so Spring's test context cache reuses it).
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"idempo.store.type=jdbc", "spring.datasource.hikari.maximum-pool-size=20"})
abstract class PostgresBackedTest {
  private static String databaseUrl;

  @LocalServerPort int port;
  @Autowired Executions executions;
  @Autowired JdbcTemplate jdbc;
  @Autowired MeterRegistry meters;

  Http http() {
    return new Http(port);
  }

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    properties.add("spring.datasource.url", PostgresBackedTest::databaseUrl);
    properties.add("spring.datasource.username", () -> PostgresServer.USER);
    properties.add("spring.datasource.password", () -> "");
  }

  private static synchronized String databaseUrl() {
    if (databaseUrl == null) {
      databaseUrl = PostgresServer.shared().createDatabase("starter_it");
    }
    return databaseUrl;
  }
}
