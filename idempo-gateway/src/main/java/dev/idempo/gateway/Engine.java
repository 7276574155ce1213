package dev.idempo.gateway;

/**
 * Which HTTP implementation carries a gateway's traffic ({@link GatewayConfig.Builder#engine}).
 * Both keep every guarantee of the HTTP contract: the body read and fingerprinted before the claim,
 * the response captured and the claim finished before the caller's last byte, unknown outcomes
 * failed closed, hop-by-hop headers dropped, ambiguous framing refused; the same tests run on both.
 */
public enum Engine {
  /**
   * Jetty 12 server and client: each request holds one of {@link GatewayConfig#maxThreads()}
   * request threads while it waits for the store and the upstream.
   */
  JETTY,
  /**
   * Netty 4.1 server and client on a few event loops (one per core): a request's upstream
   * connection is kept alive on the event loop of the caller's connection, so forwarding hands
   * nothing between threads. Store calls that may block (SQLite, PostgreSQL, Redis) run on a
   * separate pool of {@link GatewayConfig#maxThreads()} threads, never on an event loop; the
   * in-memory store is called in place. The default.
   */
  NETTY
}
