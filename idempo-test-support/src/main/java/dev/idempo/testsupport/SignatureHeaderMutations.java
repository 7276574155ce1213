package dev.idempo.testsupport;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Mutations of a webhook delivery's signature headers for fuzzing over HTTP: each leaves no valid
 * delivery, and every value stays printable ASCII (the JDK's HTTP client refuses control characters
 * in header values). Shared by the gateway's and the starter's webhook fuzz tests.
 */
public final class SignatureHeaderMutations {
  private static final String JUNK = "aZ09+/=,; -_.:tv1=sha256\"\\{}[]%";

  private SignatureHeaderMutations() {}

  /**
   * Makes one change to header {@code name} of {@code headers} (a mutable map holding it): removed,
   * doubled, truncated, replaced by junk, extended past 10 KB, one character changed, the scheme
   * renamed, or digits; never a value equal to the original beyond spaces and case.
   */
  public static void mutate(Map<String, List<String>> headers, String name, Random random) {
    String value = headers.get(name).get(0);
    String changed;
    do {
      switch (random.nextInt(8)) {
        case 0 -> {
          headers.remove(name);
          return;
        }
        case 1 -> {
          headers.put(name, List.of(value, value));
          return;
        }
        case 2 -> changed = value.substring(0, random.nextInt(value.length()));
        case 3 -> changed = junk(random, 1 + random.nextInt(120));
        case 4 -> changed = value + junk(random, 10_000 + random.nextInt(40_000));
        case 5 -> {
          int at = random.nextInt(value.length());
          char replacement = JUNK.charAt(random.nextInt(JUNK.length()));
          changed = value.substring(0, at) + replacement + value.substring(at + 1);
        }
        case 6 ->
            changed =
                value
                    .replace("v1=", "v0=")
                    .replace("v1,", "v1a,")
                    .replace("sha256=", "sha1=")
                    .replace("SHA256withRSA", "SHA1withRSA");
        default -> changed = "9".repeat(1 + random.nextInt(30));
      }
    } while (changed.strip().equalsIgnoreCase(value.strip()));
    headers.put(name, List.of(changed));
  }

  /** The size of {@code headers} as sent: each name and value plus ": " and CRLF. */
  public static int headerBytes(Map<String, List<String>> headers) {
    int bytes = 0;
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      for (String value : header.getValue()) {
        bytes += header.getKey().length() + value.length() + 4;
      }
    }
    return bytes;
  }

  private static String junk(Random random, int length) {
    StringBuilder junk = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      junk.append(JUNK.charAt(random.nextInt(JUNK.length())));
    }
    return junk.toString();
  }
}
