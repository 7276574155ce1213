package dev.idempo.benchmarks.starter;

import dev.idempo.spring.Idempotent;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot application (Spring MVC on Tomcat) with the same no-op {@code POST} handler twice:
 * at {@code /plain} without Idempo and at {@code /guarded} behind {@link Idempotent}, so {@code
 * starter-load.sh} measures the starter's cost as a ratio inside one process. The store comes from
 * the starter's properties, given on the command line ({@code --idempo.store.type=redis
 * --idempo.store.redis.uri=redis://127.0.0.1:PORT}); records are kept {@code
 * idempo.defaults.retention} (10 s by default here), so Redis holds a steady number of keys under
 * load instead of growing for the whole run.
 *
 * <p>Spring Boot is not in benchmarks.jar (it would need the starter's auto-configuration files
 * merged and would put a second web server next to Jetty): the script runs this class on the
 * module's Maven class path.
 *
 * <pre>
 * java -cp CLASSPATH dev.idempo.benchmarks.starter.StarterBenchmarkApp --server.port=PORT
 *     --idempo.store.type=redis --idempo.store.redis.uri=redis://127.0.0.1:REDIS_PORT
 * </pre>
 */
@SpringBootApplication(
    excludeName = {
      // The benchmarks' class path has JDBC drivers and spring-jdbc (for other benchmarks); this
      // application has no database.
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration",
      "org.springframework.boot.autoconfigure.sql.init.SqlInitializationAutoConfiguration",
      "org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration"
    })
public class StarterBenchmarkApp {
  private static final String RESPONSE = "{\"id\":\"ch_1\",\"amount\":1000}";

  /** Created by Spring. */
  public StarterBenchmarkApp() {}

  /**
   * The two endpoints: one handler body, with and without the guard. The content type is set on the
   * response rather than declared ({@code produces}), as most handlers do.
   */
  @RestController
  static class Charges {
    @PostMapping("/plain")
    ResponseEntity<String> plain(@RequestBody String body) {
      return charge();
    }

    @PostMapping("/guarded")
    @Idempotent
    ResponseEntity<String> guarded(@RequestBody String body) {
      return charge();
    }

    private static ResponseEntity<String> charge() {
      return ResponseEntity.status(HttpStatus.CREATED)
          .contentType(MediaType.APPLICATION_JSON)
          .body(RESPONSE);
    }
  }

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(StarterBenchmarkApp.class);
    app.setDefaultProperties(
        Map.of(
            "spring.main.banner-mode", "off",
            "logging.level.root", "WARN",
            "logging.level.dev.idempo", "INFO",
            "idempo.defaults.retention", "10s"));
    app.run(args);
  }
}
