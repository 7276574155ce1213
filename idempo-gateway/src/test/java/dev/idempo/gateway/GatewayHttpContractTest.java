package dev.idempo.gateway;

import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.ContractUpstream;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.http.tck.InMemoryAdapterHarness;
import dev.idempo.store.IdempotencyStore;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The HTTP contract through in-process gateways on real sockets, in front of the contract
 * application as upstream, on the in-memory store. The key requirement, the wait for in-flight
 * duplicates, the store and the upstream are gateway-wide settings, so one gateway serves each
 * route: they share the application (and, but for {@link Route#SMALL_STORE}, the store). An
 * upstream that fails mid-request (closes the connection without an answer) is an unknown outcome:
 * the first caller and every retry get 502 {@code outcome-unknown}.
 */
class GatewayHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new Harness(engine());
  }

  /** The engine the gateways run on. */
  Engine engine() {
    return Engine.JETTY;
  }

  @SuppressWarnings("try") // the contract closes it in @AfterAll, not a try block
  private static final class Harness extends InMemoryAdapterHarness {
    private final Map<Route, Gateway> gateways = new EnumMap<>(Route.class);
    private final Engine engine;
    private ContractUpstream upstream;
    private ContractUpstream rawUpstream;

    Harness(Engine engine) {
      this.engine = engine;
    }

    @Override
    public void start(ContractApplication application) throws Exception {
      upstream = ContractUpstream.start(application);
      rawUpstream = ContractUpstream.startRaw(application);
      start(Route.KEY_REQUIRED, upstream, store, config -> config);
      start(Route.KEY_OPTIONAL, upstream, store, config -> config.keyRequired(false));
      start(
          Route.WAITING, upstream, store, config -> config.waitForInFlight(Duration.ofSeconds(30)));
      start(Route.SMALL_STORE, upstream, smallStore, config -> config);
      start(
          Route.RAW_UPSTREAM,
          rawUpstream,
          store,
          config -> config.upstreamTimeout(HttpContract.UPSTREAM_TIMEOUT));
    }

    private void start(
        Route route,
        ContractUpstream target,
        IdempotencyStore routeStore,
        UnaryOperator<GatewayConfig.Builder> configure) {
      Gateway gateway =
          new Gateway(
              configure
                  .apply(
                      GatewayConfig.builder(target.uri())
                          .engine(engine)
                          .listen("127.0.0.1", 0)
                          .store(routeStore)
                          .keyRequired(true)
                          .maxRequestBodyBytes(HttpContract.MAX_REQUEST_BODY_BYTES)
                          .maxResponseBodyBytes(HttpContract.MAX_RESPONSE_BODY_BYTES))
                  .build());
      gateways.put(route, gateway);
      gateway.start();
    }

    @Override
    public Set<Capability> capabilities() {
      Set<Capability> capabilities = super.capabilities();
      capabilities.add(Capability.RAW_UPSTREAM);
      return capabilities;
    }

    @Override
    public URI base(Route route) {
      return URI.create(gateways.get(route).uri() + "/gateway");
    }

    @Override
    public void close() throws Exception {
      for (Gateway gateway : gateways.values()) {
        gateway.close();
      }
      for (ContractUpstream open : new ContractUpstream[] {upstream, rawUpstream}) {
        if (open != null) {
          open.close();
        }
      }
    }
  }
}
