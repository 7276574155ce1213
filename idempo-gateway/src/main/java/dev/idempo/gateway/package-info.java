/**
 * The Idempo gateway: a reverse proxy on Jetty 12 that puts Idempotency-Key semantics (DESIGN.md
 * §5) in front of any HTTP service, in any language.
 *
 * <p>Run it with {@code idempo gateway --listen 127.0.0.1:8080 --upstream http://127.0.0.1:9000}
 * (or {@link dev.idempo.gateway.GatewayMain}), or embed it:
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.builder(URI.create("http://127.0.0.1:9000"))
 *     .listen("127.0.0.1", 0)
 *     .storeLocation(StoreLocation.parse("redis://127.0.0.1:6379")) // or .store(anyStore)
 *     .build();                                                     // or GatewayCommandLine.parse(args)
 * Gateway gateway = new Gateway(config);
 * int port = gateway.start();
 * ...
 * gateway.stop(); // drains in-flight requests first
 * }</pre>
 *
 * <p>The public types are {@link dev.idempo.gateway.Gateway}, {@link
 * dev.idempo.gateway.GatewayConfig}, {@link dev.idempo.gateway.StoreLocation}, {@link
 * dev.idempo.gateway.OnUnknownOutcome}, {@link dev.idempo.gateway.GatewayStartException} and the
 * command line ({@link dev.idempo.gateway.GatewayCommandLine}, {@link
 * dev.idempo.gateway.GatewayMain}); the rest is package-private.
 */
package dev.idempo.gateway;
