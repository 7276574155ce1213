package dev.idempo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.spring.testapp.Executions;
import dev.idempo.spring.testapp.TestApplication;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A stored answer outlives the application: stop it, start it again on the same SQLite file,
 * replay.
 */
class RestartTest {
  @TempDir Path directory;

  private ConfigurableApplicationContext start(Path database) {
    return new SpringApplicationBuilder(TestApplication.class)
        .properties(
            "server.port=0",
            "idempo.store.type=jdbc",
            "spring.datasource.url=jdbc:sqlite:" + database + "?journal_mode=WAL&busy_timeout=5000")
        .run();
  }

  private static int port(ConfigurableApplicationContext context) {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  @Test
  void theStoredAnswerStillReplaysAfterARestart() {
    Path database = directory.resolve("idempo.db");
    HttpResponse<String> first;
    try (ConfigurableApplicationContext app = start(database)) {
      first =
          new Http(port(app))
              .post("/orders", "{\"item\":\"restart\"}", "Idempotency-Key", "restart-1");
      assertThat(first.statusCode()).isEqualTo(201);
      assertThat(app.getBean(Executions.class).count("orders:restart")).isEqualTo(1);
    }
    try (ConfigurableApplicationContext app = start(database)) {
      HttpResponse<String> retry =
          new Http(port(app))
              .post("/orders", "{\"item\":\"restart\"}", "Idempotency-Key", "restart-1");

      assertThat(retry.statusCode()).isEqualTo(201);
      assertThat(Http.replayed(retry)).isTrue();
      assertThat(retry.body()).isEqualTo(first.body());
      assertThat(retry.headers().firstValue("Location")).contains("/orders/restart");
      assertThat(app.getBean(Executions.class).count("orders:restart")).isZero();
    }
  }
}
