package dev.idempo.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** {@link TenantSource#parse}: the text form of a tenant source. Stateless. */
final class TenantSourceSpec {
  static final String CHOICES =
      "authorization, header:NAME, cookie:NAME, jwt:CLAIM?jwks=URL[&iss=…][&aud=…],"
          + " tls-subject or none";

  private TenantSourceSpec() {}

  static TenantSource parse(String spec) {
    Objects.requireNonNull(spec, "tenant source must not be null");
    String text = spec.trim();
    int colon = text.indexOf(':');
    String kind = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT);
    String argument = colon < 0 ? null : text.substring(colon + 1).trim();
    return switch (kind) {
      case "authorization" -> {
        noArgument(kind, argument);
        yield TenantSource.authorizationHash();
      }
      case "none" -> {
        noArgument(kind, argument);
        yield TenantSource.none();
      }
      case "tls-subject" -> {
        noArgument(kind, argument);
        yield TenantSource.tlsClientSubject();
      }
      case "header" -> TenantSource.header(named(kind, argument));
      case "cookie" -> TenantSource.cookie(named(kind, argument));
      case "jwt" -> jwt(argument);
      default ->
          throw new IllegalArgumentException(
              "tenant source must be " + CHOICES + "; was '" + spec + "'");
    };
  }

  private static void noArgument(String kind, String argument) {
    if (argument != null) {
      throw new IllegalArgumentException(
          "tenant source " + kind + " takes no argument, was '" + kind + ":" + argument + "'");
    }
  }

  private static String named(String kind, String argument) {
    if (argument == null || argument.isEmpty()) {
      throw new IllegalArgumentException(
          "tenant source " + kind + " needs a name: " + kind + ":NAME");
    }
    return argument;
  }

  private static TenantSource jwt(String argument) {
    if (argument == null || argument.isEmpty()) {
      throw new IllegalArgumentException(
          "tenant source jwt needs a claim and a JWKS:"
              + " jwt:sub?jwks=https://issuer.example/jwks.json");
    }
    int question = argument.indexOf('?');
    String claim = question < 0 ? argument : argument.substring(0, question);
    Map<String, String> parameters =
        parameters(question < 0 ? "" : argument.substring(question + 1));
    String jwks = parameters.remove("jwks");
    if (jwks == null) {
      throw new IllegalArgumentException(
          "tenant source jwt needs jwks=LOCATION (https://…, or file:/path), e.g. jwt:"
              + claim
              + "?jwks=https://issuer.example/jwks.json");
    }
    URI location;
    try {
      location = new URI(jwks);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("tenant source jwt: jwks is not a URL: " + jwks, e);
    }
    JwtTenantSource.Builder builder = JwtTenantSource.builder(claim, location);
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      String value = parameter.getValue();
      switch (parameter.getKey()) {
        case "iss" -> builder.issuer(value);
        case "aud" -> builder.audience(value);
        case "header" -> builder.tokenHeader(value);
        case "cookie" -> builder.tokenCookie(value);
        case "skew" -> builder.clockSkew(Duration.ofSeconds(seconds(value)));
        default ->
            throw new IllegalArgumentException(
                "tenant source jwt: unknown parameter '"
                    + parameter.getKey()
                    + "'; known: jwks, iss, aud, header, cookie, skew");
      }
    }
    return builder.build();
  }

  private static long seconds(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "tenant source jwt: skew must be whole seconds, was '" + value + "'");
    }
  }

  private static Map<String, String> parameters(String query) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (query.isEmpty()) {
      return parameters;
    }
    for (String pair : query.split("&", -1)) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException(
            "tenant source jwt: parameters are NAME=VALUE joined by &, was '" + pair + "'");
      }
      String name = pair.substring(0, equals);
      if (parameters.put(name, percentDecoded(pair.substring(equals + 1))) != null) {
        throw new IllegalArgumentException("tenant source jwt: parameter " + name + " given twice");
      }
    }
    return parameters;
  }

  /** %XX sequences as UTF-8 bytes; '+' stays '+' (URLs, not form data). */
  private static String percentDecoded(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '%') {
        int high = i + 2 < bytes.length ? Character.digit(bytes[i + 1], 16) : -1;
        int low = i + 2 < bytes.length ? Character.digit(bytes[i + 2], 16) : -1;
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException(
              "tenant source jwt: bad percent escape in '" + text + "'");
        }
        out.write(high * 16 + low);
        i += 2;
      } else {
        out.write(bytes[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
