package dev.idempo.servlet;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.http.tck.InMemoryAdapterHarness;
import dev.idempo.http.tck.ServletRequestReader;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;

/** The HTTP contract through the servlet filter, in Jetty 12, on the in-memory store. */
class ServletHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new Harness();
  }

  private static final class Harness extends InMemoryAdapterHarness {
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
      ContractApplication.Response answer = application.handle(ServletRequestReader.read(request));
      response.setStatus(answer.status());
      answer.headers().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
      response.getOutputStream().write(answer.body());
    }
  }
}
