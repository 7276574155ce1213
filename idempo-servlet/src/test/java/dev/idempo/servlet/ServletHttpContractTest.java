package dev.idempo.servlet;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.tck.OutageStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The HTTP contract through the servlet filter, in Jetty 12, on the in-memory store. */
class ServletHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new Harness();
  }

  private static final class Harness implements HttpAdapterHarness {
    private final OutageStore store = new OutageStore(InMemoryIdempotencyStore.create());
    private JettyServer server;

    @Override
    public void start(ContractApplication application) throws Exception {
      IdempotencyFilter filter =
          IdempotencyFilter.builder(store)
              .route(IdempotencyRoute.builder("/required/**").name("required").build())
              .route(
                  IdempotencyRoute.builder("/optional/**")
                      .name("optional")
                      .keyRequired(false)
                      .build())
              .maxRequestBodyBytes(HttpContract.MAX_REQUEST_BODY_BYTES)
              .build();
      server = new JettyServer(filter, new ApplicationServlet(application));
    }

    @Override
    public URI base(Route route) {
      return server.uri(route == Route.KEY_REQUIRED ? "/required" : "/optional");
    }

    @Override
    public String storeName() {
      return "in-memory";
    }

    @Override
    public Set<Capability> capabilities() {
      return EnumSet.of(Capability.STORE_OUTAGE, Capability.IN_FLIGHT_CONFLICT);
    }

    @Override
    public OutageStore outageStore() {
      return store;
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
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
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String name : Collections.list(request.getHeaderNames())) {
        headers.put(name, Collections.list(request.getHeaders(name)));
      }
      ContractApplication.Response answer =
          application.handle(
              new ContractApplication.Request(
                  request.getMethod(),
                  request.getRequestURI(),
                  request.getQueryString(),
                  headers,
                  request.getInputStream().readAllBytes()));
      response.setStatus(answer.status());
      answer
          .headers()
          .forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
      response.getOutputStream().write(answer.body());
    }
  }
}
