package dev.idempo.client;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the 409 that means "the first request with this key is still running, retry later", as
 * opposed to a business conflict, which must not be retried: an RFC 9457 problem whose {@code type}
 * ends in {@code key-in-flight} (Idempo, the IETF draft's examples), or a Stripe error whose {@code
 * code} is {@code idempotency_key_in_use}. A light scan of the JSON text, not a parser: it looks
 * for the member anywhere in the body.
 */
final class InFlightConflict {
  static final String PROBLEM_TYPE_SUFFIX = "key-in-flight";
  static final String STRIPE_CODE = "idempotency_key_in_use";

  /** A JSON string member: "name" : "value", with escapes inside the value. */
  private static final Pattern TYPE_MEMBER =
      Pattern.compile("\"type\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private static final Pattern CODE_MEMBER =
      Pattern.compile("\"code\"\\s*:\\s*\"" + STRIPE_CODE + "\"");

  private InFlightConflict() {}

  /** Whether a 409 body says the key is in flight. */
  static boolean isInFlight(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    Matcher type = TYPE_MEMBER.matcher(text);
    while (type.find()) {
      if (type.group(1).endsWith(PROBLEM_TYPE_SUFFIX)) {
        return true;
      }
    }
    return CODE_MEMBER.matcher(text).find();
  }
}
