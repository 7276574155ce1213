package dev.idempo.messaging;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** Headers as one text column: {@code name=value&name=value}, both parts URL-encoded. */
final class HeaderText {
  private HeaderText() {}

  static String encode(Map<String, String> headers) {
    StringJoiner text = new StringJoiner("&");
    headers.forEach(
        (name, value) ->
            text.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return text.toString();
  }

  static Map<String, String> decode(String text) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return headers;
    }
    for (String pair : text.split("&", -1)) {
      int equals = pair.indexOf('=');
      headers.put(
          URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
    }
    return headers;
  }
}
