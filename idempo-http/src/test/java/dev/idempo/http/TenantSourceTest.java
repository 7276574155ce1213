package dev.idempo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each tenant source, and the text form the gateway flag and the starter property share. */
class TenantSourceTest {

  static IncomingRequest request(String... headers) {
    return request(List.of(), headers);
  }

  static IncomingRequest request(List<X509Certificate> certificates, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.computeIfAbsent(headers[i], n -> new java.util.ArrayList<>()).add(headers[i + 1]);
    }
    IncomingRequest buffered = IncomingRequest.of("POST", "/", "", map, new byte[0]);
    return new IncomingRequest() {
      @Override
      public String method() {
        return buffered.method();
      }

      @Override
      public String path() {
        return buffered.path();
      }

      @Override
      public String query() {
        return buffered.query();
      }

      @Override
      public List<String> headers(String name) {
        return buffered.headers(name);
      }

      @Override
      public byte[] body(int limit) throws IOException {
        return buffered.body(limit);
      }

      @Override
      public List<X509Certificate> clientCertificates() {
        return certificates;
      }
    };
  }

  @Test
  void authorizationIsHashedAndARotatedTokenIsANewTenant() {
    TenantSource source = TenantSource.parse("authorization");
    String before = source.tenant(request("Authorization", "Bearer token-1"));

    assertTrue(before.startsWith("authorization:"), before);
    assertFalse(before.contains("token-1"));
    assertNotEquals(before, source.tenant(request("Authorization", "Bearer token-2")));
    assertEquals("", source.tenant(request()));
    assertFalse(source.sharesOneKeySpace());
  }

  @Test
  void aHeaderFromTheAuthProxyIsTheTenantAsIs() {
    TenantSource source = TenantSource.parse("header:X-User-Id");

    assertEquals("alice", source.tenant(request("x-user-id", "alice")));
    assertEquals("", source.tenant(request("Authorization", "Bearer x")));
    assertEquals("header:X-User-Id", source.toString());
  }

  @Test
  void aCookieIsHashedAndFoundAmongOthers() {
    TenantSource source = TenantSource.parse("cookie:session");
    String alice = source.tenant(request("Cookie", "theme=dark; session=alice-123; lang=en"));

    assertTrue(alice.startsWith("cookie:"), alice);
    assertFalse(alice.contains("alice-123"), "a session id is a credential: never stored");
    assertEquals(alice, source.tenant(request("Cookie", "session=\"alice-123\"")));
    assertNotEquals(alice, source.tenant(request("Cookie", "session=bob-456")));
    assertEquals("", source.tenant(request("Cookie", "sessionid=alice-123; session=")));
    assertEquals("", source.tenant(request()));
  }

  @Test
  void theTlsClientCertificateSubjectIsTheTenant() throws Exception {
    X509Certificate alice;
    try (InputStream pem = getClass().getResourceAsStream("client-alice.pem")) {
      alice = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
    }
    TenantSource source = TenantSource.parse("tls-subject");

    assertEquals("tls:CN=alice,O=Acme,C=US", source.tenant(request(List.of(alice))));
    assertEquals("", source.tenant(request("X-Client-Cert-Subject", "CN=alice,O=Acme,C=US")));
  }

  @Test
  void noneAloneSharesOneKeySpace() {
    TenantSource none = TenantSource.parse(" NONE ");

    assertTrue(none.sharesOneKeySpace());
    assertEquals("", none.tenant(request("Authorization", "x")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "kerberos|tenant source must be authorization, header:NAME, cookie:NAME,"
            + " jwt:CLAIM?jwks=URL",
        "header:|tenant source header needs a name: header:NAME",
        "header:X User|tenant header name must be an HTTP token",
        "cookie:a;b|tenant cookie name must be an HTTP token",
        "authorization:Bearer|tenant source authorization takes no argument",
        "none:really|tenant source none takes no argument",
        "jwt:|tenant source jwt needs a claim and a JWKS",
        "jwt:sub|tenant source jwt needs jwks=LOCATION",
        "jwt:sub?jwks=http://issuer.example/jwks.json|jwks must be an https:// URL, a file: path,"
            + " or an http:// URL on a loopback",
        "jwt:sub?jwks=file:/no/such/jwks.json|cannot read the JWKS file:/no/such/jwks.json",
        "jwt:sub?jwks=https://issuer.example/jwks&algo=RS256|unknown parameter 'algo'",
        "jwt:sub?jwks=https://issuer.example/jwks&skew=1m|skew must be whole seconds",
        "jwt:sub?jwks=https://issuer.example/jwks&skew=3600|clock skew must be between 0 and 5"
            + " minutes",
        "jwt:sub?jwks=https://issuer.example/jwks&iss=a&iss=b|parameter iss given twice",
        "jwt:sub?jwks=https://issuer.example/jwks&aud|parameters are NAME=VALUE joined by &",
      })
  void aBadSpecIsRefusedNamingWhatIsWrong(String spec, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TenantSource.parse(spec));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void aJwtSpecTakesItsParametersPercentDecoded() {
    TenantSource source =
        TenantSource.parse(
            "jwt:sub?jwks=https://issuer.example/keys%3Fset%3D1%26v%3D2&iss=https://issuer.example/&aud=payments");

    assertEquals(
        "jwt:sub?jwks=https://issuer.example/keys?set=1&v=2&iss=https://issuer.example/&aud=payments",
        source.toString());
  }
}
