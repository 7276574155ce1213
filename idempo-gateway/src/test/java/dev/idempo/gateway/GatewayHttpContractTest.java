package dev.idempo.gateway;

import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.ContractUpstream;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.http.tck.InMemoryAdapterHarness;
import java.net.URI;

/**
 * The HTTP contract through in-process gateways on real sockets, in front of the contract
 * application as upstream, on the in-memory store. The key requirement is a gateway-wide setting,
 * so two gateways share the store and the upstream: one requires keys, one does not.
 */
class GatewayHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new Harness();
  }

  private static final class Harness extends InMemoryAdapterHarness {
    private ContractUpstream upstream;
    private Gateway required;
    private Gateway optional;

    @Override
    public void start(ContractApplication application) throws Exception {
      upstream = ContractUpstream.start(application);
      required = start(true);
      optional = start(false);
    }

    private Gateway start(boolean keyRequired) {
      Gateway gateway =
          new Gateway(
              GatewayConfig.builder(upstream.uri())
                  .listen("127.0.0.1", 0)
                  .store(store)
                  .keyRequired(keyRequired)
                  .maxRequestBodyBytes(HttpContract.MAX_REQUEST_BODY_BYTES)
                  .build());
      gateway.start();
      return gateway;
    }

    @Override
    public URI base(Route route) {
      return URI.create((route == Route.KEY_REQUIRED ? required : optional).uri() + "/gateway");
    }

    @Override
    public void close() {
      for (AutoCloseable open : new AutoCloseable[] {required, optional, upstream}) {
        try {
          if (open != null) {
            open.close();
          }
        } catch (Exception e) {
          throw new IllegalStateException("could not stop " + open, e);
        }
      }
    }
  }
}
