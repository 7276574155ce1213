package dev.idempo.servlet;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.http.tck.InMemoryAdapterHarness;
import dev.idempo.http.tck.ServletRequestReader;
import dev.idempo.store.IdempotencyStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The HTTP contract through the servlet filter, in Jetty 12, on the in-memory store. A handler that
 * throws: the exception reaches the container (Jetty answers its own 500) and the key records an
 * unknown outcome, so retries get 502 {@code outcome-unknown}.
 */
class ServletHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new Harness();
  }

  private static final class Harness extends InMemoryAdapterHarness {
    private JettyServer server;
    private JettyServer small;

    @Override
    public void start(ContractApplication application) throws Exception {
      IdempotencyFilter filter =
          filter(store)
              .route(IdempotencyRoute.builder("/required/**").name("required").build())
              .route(
                  IdempotencyRoute.builder("/optional/**")
                      .name("optional")
                      .keyRequired(false)
                      .build())
              .route(
                  IdempotencyRoute.builder("/waiting/**")
                      .name("waiting")
                      .waitForInFlight(Duration.ofSeconds(30))
                      .build())
              .build();
      server = new JettyServer(filter, new ApplicationServlet(application));
      IdempotencyFilter smallFilter =
          filter(smallStore)
              .route(IdempotencyRoute.builder("/small/**").name("small").build())
              .build();
      small = new JettyServer(smallFilter, new ApplicationServlet(application));
    }

    private static IdempotencyFilter.Builder filter(IdempotencyStore store) {
      return IdempotencyFilter.builder(store)
          .maxRequestBodyBytes(HttpContract.MAX_REQUEST_BODY_BYTES)
          .maxResponseBodyBytes(HttpContract.MAX_RESPONSE_BODY_BYTES);
    }

    @Override
    public URI base(Route route) {
      return switch (route) {
        case KEY_REQUIRED -> server.uri("/required");
        case KEY_OPTIONAL -> server.uri("/optional");
        case WAITING -> server.uri("/waiting");
        case SMALL_STORE -> small.uri("/small");
        case RAW_UPSTREAM -> throw new UnsupportedOperationException("not a proxy: " + route);
      };
    }

    @Override
    public void close() {
      for (JettyServer open : new JettyServer[] {server, small}) {
        if (open != null) {
          open.close();
        }
      }
    }
  }

  /** The contract application as a servlet. */
  private static final class ApplicationServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient ContractApplication application;

    ApplicationServlet(ContractApplication application) {
      this.application = application;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      ContractApplication.Response answer = application.handle(ServletRequestReader.read(request));
      response.setStatus(answer.status());
      answer.headers().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
      response.getOutputStream().write(answer.body());
    }
  }
}
