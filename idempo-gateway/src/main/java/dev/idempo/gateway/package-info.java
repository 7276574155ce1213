/**
 * The Idempo gateway: a reverse proxy on Jetty 12 that puts Idempotency-Key semantics ({@code
 * docs/design.md}, "The HTTP contract" and "The gateway") in front of any HTTP service, in any
 * language.
 *
 * <p>A library: embed it as below, or run it with {@code idempo gateway --listen 127.0.0.1:8080
 * --upstream http://127.0.0.1:9000} (the command line is in {@code idempo-cli}). It logs through
 * SLF4J and brings no binding; argument parsing is the command's.
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.builder(URI.create("http://127.0.0.1:9000"))
 *     .listen("127.0.0.1", 0)
 *     .storeLocation(StoreLocation.parse("redis://127.0.0.1:6379")) // or .store(anyStore)
 *     .build();
 * Gateway gateway = new Gateway(config);
 * int port = gateway.start();
 * ...
 * gateway.stop(); // drains in-flight requests first; or gateway.awaitStop() in a main thread
 * }</pre>
 *
 * <p>The public types are {@link dev.idempo.gateway.Gateway}, {@link
 * dev.idempo.gateway.GatewayConfig}, {@link dev.idempo.gateway.StoreLocation}, {@link
 * dev.idempo.gateway.OnUnknownOutcome} and {@link dev.idempo.gateway.GatewayStartException}; the
 * rest is package-private.
 */
package dev.idempo.gateway;
