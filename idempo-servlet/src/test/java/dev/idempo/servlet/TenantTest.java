package dev.idempo.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.TenantSource;
import dev.idempo.store.InMemoryIdempotencyStore;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 2, in a servlet container: callers without Authorization shared one key space, so
 * one caller's key and request replayed another caller's stored response. Now the filter refuses a
 * keyed request whose tenant it cannot determine; and where the container terminates TLS, the
 * client certificate's subject can be the tenant.
 */
class TenantTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private static HttpRequest.Builder post(URI uri, String key) {
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .header("X-Case", "tenant-" + key)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .POST(BodyPublishers.ofString("{\"amount\":1000}"));
  }

  @Test
  void callersWithoutAuthorizationNoLongerShareOneKeySpace() throws Exception {
    IdempotencyFilter filter =
        IdempotencyFilter.builder(InMemoryIdempotencyStore.create())
            .route(IdempotencyRoute.builder("/payments").build())
            .build();
    TestApp app = new TestApp();
    HttpClient client = HttpClient.newHttpClient();
    try (JettyServer server = new JettyServer(filter, app)) {
      HttpResponse<String> alice =
          client.send(
              post(server.uri("/payments"), "shared-1").header("Cookie", "session=alice").build(),
              BodyHandlers.ofString());
      HttpResponse<String> mallory =
          client.send(
              post(server.uri("/payments"), "shared-1").header("Cookie", "session=mallory").build(),
              BodyHandlers.ofString());

      for (HttpResponse<String> response : java.util.List.of(alice, mallory)) {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(
            response.body().contains("\"type\":\"urn:idempo:problem:tenant-required\""),
            response.body());
        assertEquals(
            Optional.empty(),
            response.headers().firstValue("Set-Cookie"),
            "never the other caller's cookie");
      }
      assertEquals(0, app.runs("tenant-shared-1"));
    }
  }

  @Test
  void theVerifiedClientCertificateSubjectIsTheTenant() throws Exception {
    IdempotencyFilter filter =
        IdempotencyFilter.builder(InMemoryIdempotencyStore.create())
            .route(
                IdempotencyRoute.builder("/payments")
                    .tenantSource(TenantSource.parse("tls-subject"))
                    .build())
            .build();
    TestApp app = new TestApp();
    try (TlsServer server = new TlsServer(filter, app)) {
      URI uri = server.uri("/payments");
      HttpClient alice = client("client-alice.p12");
      HttpClient bob = client("client-bob.p12");
      HttpClient anonymous = client(null);

      HttpResponse<String> aliceFirst =
          alice.send(post(uri, "tls-1").build(), BodyHandlers.ofString());
      HttpResponse<String> bobFirst = bob.send(post(uri, "tls-1").build(), BodyHandlers.ofString());
      HttpResponse<String> aliceAgain =
          alice.send(post(uri, "tls-1").build(), BodyHandlers.ofString());
      HttpResponse<String> nobody =
          anonymous.send(post(uri, "tls-1").build(), BodyHandlers.ofString());

      assertEquals(201, aliceFirst.statusCode(), aliceFirst.body());
      assertTrue(aliceFirst.body().startsWith("{\"run\":1,"), aliceFirst.body());
      assertTrue(
          bobFirst.body().startsWith("{\"run\":2,"), "bob's key is his own: " + bobFirst.body());
      assertEquals(aliceFirst.body(), aliceAgain.body());
      assertEquals(Optional.of("true"), aliceAgain.headers().firstValue("Idempotent-Replayed"));
      assertEquals(400, nobody.statusCode(), nobody.body());
      assertTrue(nobody.body().contains("a TLS client certificate"), nobody.body());
      assertEquals(2, app.runs("tenant-tls-1"));
    }
  }

  /** A client trusting the test server, presenting the certificate in {@code keyStore} if any. */
  private static HttpClient client(String keyStore) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load("client-trust.p12"));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore == null ? null : load(keyStore), PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyStore == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context).build();
  }

  private static KeyStore load(String name) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = TenantTest.class.getResourceAsStream("tls/" + name)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static String resource(String name) throws Exception {
    return Path.of(TenantTest.class.getResource("tls/" + name).toURI()).toString();
  }

  /** Jetty terminating TLS on a loopback port, asking for (not requiring) a client certificate. */
  private static final class TlsServer implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector;

    TlsServer(IdempotencyFilter filter, TestApp app) throws Exception {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStorePath(resource("server.p12"));
      tls.setKeyStorePassword("changeit");
      tls.setKeyStoreType("PKCS12");
      tls.setTrustStorePath(resource("server-trust.p12"));
      tls.setTrustStorePassword("changeit");
      tls.setTrustStoreType("PKCS12");
      tls.setWantClientAuth(true);
      HttpConfiguration https = new HttpConfiguration();
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false);
      https.addCustomizer(secure);
      connector =
          new ServerConnector(
              server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addServlet(new ServletHolder(app), "/*");
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      server.setHandler(context);
      server.start();
    }

    URI uri(String path) {
      return URI.create("https://127.0.0.1:" + connector.getLocalPort() + path);
    }

    @Override
    public void close() {
      try {
        server.stop();
      } catch (Exception e) { // Jetty's stop declares Exception
        throw new IllegalStateException("the TLS test server did not stop", e);
      }
    }
  }
}
