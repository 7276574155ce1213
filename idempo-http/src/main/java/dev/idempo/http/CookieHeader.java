package dev.idempo.http;

import java.util.ArrayList;
import java.util.List;

/** Reads cookies from a request's {@code Cookie} headers (RFC 6265 §5.4). Stateless. */
final class CookieHeader {
  private CookieHeader() {}

  /** The non-empty values of cookie {@code name}, in the order sent. */
  static List<String> values(IncomingRequest request, String name) {
    List<String> values = new ArrayList<>();
    for (String header : request.headers("Cookie")) {
      for (String pair : header.split(";", -1)) {
        int equals = pair.indexOf('=');
        if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
          String value = pair.substring(equals + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          if (!value.isEmpty()) {
            values.add(value);
          }
        }
      }
    }
    return values;
  }
}
