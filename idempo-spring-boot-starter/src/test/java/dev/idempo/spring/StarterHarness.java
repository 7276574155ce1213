package dev.idempo.spring;

import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.http.tck.ServletRequestReader;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.tck.OutageStore;
import dev.idempo.testsupport.PostgresServer;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Set;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;

/**
 * Starts a Spring Boot application with the starter in front of the contract application, on its
 * own PostgreSQL database of the shared server: {@code application} declares the handlers of {@code
 * /required/**} and {@code /optional/**} (and {@code /waiting/**} where the harness declares {@link
 * Capability#WAITING_ROUTE}), which answer through {@link #answer}. Its store is the application's
 * one bean, so it serves no {@link Route#SMALL_STORE}.
 */
final class StarterHarness implements HttpAdapterHarness {
  private final Class<?> application;
  private final String database;
  private final Set<Capability> capabilities;
  private ConfigurableApplicationContext context;
  private URI root;

  /**
   * @param database a fresh database name on the shared PostgreSQL server
   */
  StarterHarness(Class<?> application, String database, Set<Capability> capabilities) {
    this.application = application;
    this.database = database;
    this.capabilities = capabilities;
  }

  @Override
  public void start(ContractApplication contract) {
    String url = PostgresServer.shared().createDatabase(database);
    context =
        new SpringApplicationBuilder(application)
            .initializers(
                created ->
                    created.getBeanFactory().registerSingleton("contractApplication", contract))
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.datasource.url=" + url,
                "spring.datasource.username=" + PostgresServer.USER,
                "spring.datasource.password=",
                "spring.datasource.hikari.maximum-pool-size=20",
                "idempo.store.type=jdbc",
                "idempo.max-request-body-size=" + HttpContract.MAX_REQUEST_BODY_BYTES + "B",
                "idempo.max-response-body-size=" + HttpContract.MAX_RESPONSE_BODY_BYTES + "B")
            .run();
    root =
        URI.create(
            "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort());
  }

  @Override
  public URI base(Route route) {
    return switch (route) {
      case KEY_REQUIRED -> URI.create(root + "/required");
      case KEY_OPTIONAL -> URI.create(root + "/optional");
      case WAITING -> URI.create(root + "/waiting");
      case SMALL_STORE, RAW_UPSTREAM ->
          throw new UnsupportedOperationException("the starter harness does not serve " + route);
    };
  }

  @Override
  public String storeName() {
    return "JDBC on PostgreSQL (" + context.getBean(IdempotencyStore.class) + ")";
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public OutageStore outageStore() {
    if (!capabilities.contains(Capability.STORE_OUTAGE)) {
      return HttpAdapterHarness.super.outageStore();
    }
    return context.getBean(OutageStore.class);
  }

  @Override
  public void close() {
    if (context != null) {
      context.close();
    }
  }

  /** Runs the contract application for a request that reached a handler method. */
  static ResponseEntity<byte[]> answer(ContractApplication contract, HttpServletRequest request)
      throws IOException {
    ContractApplication.Response answer = contract.handle(ServletRequestReader.read(request));
    HttpHeaders responseHeaders = new HttpHeaders();
    answer.headers().forEach((name, values) -> responseHeaders.put(name, new ArrayList<>(values)));
    return ResponseEntity.status(answer.status()).headers(responseHeaders).body(answer.body());
  }
}
