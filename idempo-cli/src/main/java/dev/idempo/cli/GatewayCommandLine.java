package dev.idempo.cli;

import dev.idempo.gateway.Engine;
import dev.idempo.gateway.Gateway;
import dev.idempo.gateway.GatewayConfig;
import dev.idempo.gateway.GatewayStartException;
import dev.idempo.gateway.OnUnknownOutcome;
import dev.idempo.gateway.StoreLocation;
import dev.idempo.http.HttpIdempotency;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@code idempo gateway}: the flags, their parsing into a {@link GatewayConfig}
 * (the library's builder), and running a {@link Gateway} until the process is told to stop. A new
 * flag is one field in {@link Flags} and one line in {@link Flags#toConfig()}.
 *
 * <pre>
 * --listen HOST:PORT --upstream URL [--store memory[:RECORDS] | sqlite:PATH | redis://HOST:PORT |
 * redis-cluster://HOST:PORT,HOST:PORT | jdbc:postgresql://…] [--require-key] [--methods POST,PATCH] [--retention 24h] [--lease 30s]
 * [--upstream-timeout 30s] [--upstream-idle-timeout 500ms] [--wait-in-flight 0ms]
 * [--tenant authorization | header:NAME | cookie:NAME | jwt:CLAIM?jwks=URL[&iss=…][&aud=…] | none]
 * [--max-body 10MiB]
 * [--max-response 1MiB] [--on-unknown fail|reexecute] [--admin HOST:PORT] [--drain-timeout 10s]
 * [--webhook PATH=PROVIDER:SECRET[,SECRET…][;OPTION=VALUE…]]… [--webhook-retention 7d]
 * [--engine netty|jetty]
 * </pre>
 *
 * <p>Sizes are a whole number and B, KB, KiB, MB, MiB, GB or GiB; durations a whole number and ms,
 * s, m, h or d. Stateless and thread-safe.
 */
final class GatewayCommandLine {
  /** The exit code for a bad flag. */
  static final int USAGE_ERROR = 2;

  /** The exit code when the gateway cannot start (port in use, store unreachable). */
  static final int START_FAILED = 1;

  private GatewayCommandLine() {}

  /**
   * Parses {@code args} into a configuration, for embedding and tests.
   *
   * @throws IllegalArgumentException with a one-line message naming the flag if one is unknown,
   *     missing or bad
   */
  static GatewayConfig parse(String... args) {
    Flags flags = new Flags();
    try {
      new CommandLine(flags).setExpandAtFiles(false).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (flags.help || flags.version) {
      throw new IllegalArgumentException("--help and --version do not make a configuration");
    }
    return flags.toConfig();
  }

  /**
   * Runs the gateway {@code args} describe until the JVM is told to stop (SIGTERM, Ctrl-C): then it
   * stops accepting, drains in-flight requests (up to the drain timeout) and returns 0. When it is
   * ready it prints exactly one line on {@code out}: {@code idempo gateway listening on
   * http://HOST:PORT -> UPSTREAM (store: …)}. A bad flag prints one line on {@code err} and returns
   * {@value #USAGE_ERROR}; a port in use or an unreachable store prints one line and returns
   * {@value #START_FAILED}. {@code --help} prints the usage on {@code out} and returns 0.
   *
   * @param commandName how messages name the command, e.g. {@code idempo gateway}
   */
  static int run(String commandName, String[] args, PrintStream out, PrintStream err) {
    Flags flags = new Flags();
    CommandLine commandLine =
        new CommandLine(flags).setExpandAtFiles(false).setCommandName(commandName);
    GatewayConfig config;
    try {
      commandLine.parseArgs(args);
      if (flags.help) {
        commandLine.usage(new PrintWriter(out, true, StandardCharsets.UTF_8));
        return 0;
      }
      if (flags.version) {
        out.println(commandName + " " + Flags.VERSION);
        return 0;
      }
      config = flags.toConfig();
    } catch (CommandLine.ParameterException | IllegalArgumentException e) {
      err.println(commandName + ": " + oneLine(e) + " (see --help)");
      err.flush();
      return USAGE_ERROR;
    }
    quietLibraryLogs();
    Gateway gateway = new Gateway(config);
    try {
      gateway.start();
    } catch (GatewayStartException e) {
      err.println(commandName + ": " + oneLine(e));
      err.flush();
      return START_FAILED;
    }
    Thread shutdown = new Thread(gateway::stop, "idempo-gateway-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    out.println(
        "idempo gateway listening on "
            + gateway.uri()
            + " -> "
            + config.upstream()
            + " (store: "
            + config.storeLocation().orElseThrow()
            + ")");
    out.flush();
    try {
      gateway.awaitStop();
    } catch (InterruptedException e) {
      gateway.stop(); // before restoring the flag, which would cut the drain short
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdown);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook is what stopped the gateway.
    }
    return 0;
  }

  /** The message of {@code e} and its causes, on one line. */
  private static String oneLine(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null && text.length() < 500; t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (text.indexOf(message) < 0) {
        text.append(text.length() == 0 ? "" : ": ").append(message);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return text.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  /**
   * Library logs at WARN and one line per record, unless set otherwise with {@code -D}: the
   * gateway's own lines stay readable next to the ready line.
   */
  private static void quietLibraryLogs() {
    String prefix = "org.slf4j.simpleLogger.";
    setIfAbsent(prefix + "showDateTime", "true");
    setIfAbsent(prefix + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    setIfAbsent(prefix + "showShortLogName", "true");
    for (String library :
        List.of("org.eclipse.jetty", "com.zaxxer.hikari", "io.lettuce", "io.netty", "reactor")) {
      setIfAbsent(prefix + "log." + library, "warn");
    }
    setIfAbsent(
        "java.util.logging.SimpleFormatter.format",
        "%1$tFT%1$tT.%1$tL%1$tz [%3$s] %4$s %5$s%6$s%n");
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /** The flags, as picocli fills them: strings, parsed here so every error is one line. */
  @Command(
      name = "idempo-gateway",
      sortOptions = false,
      description = {
        "A reverse proxy that makes retries safe: the first request with an Idempotency-Key is"
            + " forwarded and its response stored; every retry gets that response replayed"
            + " (Idempotent-Replayed: true), never a second forward."
      })
  static final class Flags {
    static final String VERSION = "0.1.0-SNAPSHOT";

    @Option(
        names = "--listen",
        paramLabel = "HOST:PORT",
        description = "Where to listen, e.g. 127.0.0.1:8080 (port 0: any free port). Required.")
    String listen;

    @Option(
        names = "--upstream",
        paramLabel = "URL",
        description = "The service to forward to, e.g. http://127.0.0.1:9000. Required.")
    String upstream;

    @Option(
        names = "--store",
        paramLabel = "STORE",
        description =
            "memory | memory:RECORDS | sqlite:PATH | redis://HOST:PORT |"
                + " redis-cluster://HOST:PORT,HOST:PORT |"
                + " jdbc:postgresql://HOST:PORT/DB?user=… (default sqlite:./idempo-data/idempo.db)."
                + " memory keeps at most RECORDS records (default 100000; when full, new keys get"
                + " 503 until records expire). Share Redis, a Redis Cluster or PostgreSQL between"
                + " gateways.")
    String store = "sqlite:./idempo-data/idempo.db";

    @Option(
        names = "--require-key",
        description =
            "Refuse guarded requests without an Idempotency-Key (400) instead of passing them through.")
    boolean requireKey;

    @Option(
        names = "--methods",
        paramLabel = "M,M",
        description = "The guarded methods (default POST,PATCH); others pass through untouched.")
    String methods = "POST,PATCH";

    @Option(
        names = "--retention",
        paramLabel = "DURATION",
        description = "How long responses are replayed (default 24h).")
    String retention = "24h";

    @Option(
        names = "--lease",
        paramLabel = "DURATION",
        description =
            "How long a claim is protected; renewed while the upstream works (default 30s).")
    String lease = "30s";

    @Option(
        names = "--upstream-timeout",
        paramLabel = "DURATION",
        description = "How long the upstream may stay silent (default 30s).")
    String upstreamTimeout = "30s";

    @Option(
        names = "--upstream-idle-timeout",
        paramLabel = "DURATION",
        description =
            "Close pooled upstream connections idle this long; keep it below the upstream's"
                + " keep-alive (default 500ms).")
    String upstreamIdleTimeout = "500ms";

    @Option(
        names = "--wait-in-flight",
        paramLabel = "DURATION",
        description =
            "How long a duplicate waits for the first request and replays it, instead of 409 (default 0ms).")
    String waitInFlight = "0ms";

    @Option(
        names = "--tenant",
        paramLabel = "SOURCE",
        description =
            "Whose key it is: authorization (default; a hash of the Authorization header,"
                + " so a rotated token is a new tenant) | header:NAME (set by your auth proxy) |"
                + " cookie:NAME | jwt:CLAIM?jwks=URL[&iss=ISSUER][&aud=AUDIENCE] (a verified JWT claim)"
                + " | none (one key space shared by all callers). A keyed request with no tenant gets"
                + " 400 tenant-required.")
    String tenant;

    @Option(
        names = "--tenant-header",
        paramLabel = "NAME",
        description = "The same as --tenant header:NAME.")
    String tenantHeader;

    @Option(
        names = "--max-body",
        paramLabel = "SIZE",
        description = "The largest request body fingerprinted; larger gets 413 (default 10MiB).")
    String maxBody = "10MiB";

    @Option(
        names = "--max-response",
        paramLabel = "SIZE",
        description =
            "The largest response stored; a larger one is delivered, and a retry gets a problem (default 1MiB).")
    String maxResponse = "1MiB";

    @Option(
        names = "--on-unknown",
        paramLabel = "fail|reexecute",
        description =
            "After an upstream timeout or a crash: fail (default; retries get 502 outcome-unknown) or reexecute (retries forward again with the same key).")
    String onUnknown = "fail";

    @Option(
        names = "--admin",
        paramLabel = "HOST:PORT",
        description = "Serve /health and /metrics (Prometheus) here.")
    String admin;

    @Option(
        names = "--engine",
        paramLabel = "netty|jetty",
        description =
            "The HTTP implementation (default: the library's, GatewayConfig.DEFAULT_ENGINE).")
    String engine;

    @Option(
        names = "--drain-timeout",
        paramLabel = "DURATION",
        description = "How long in-flight requests may finish on SIGTERM (default 10s).")
    String drainTimeout = "10s";

    @Option(
        names = "--webhook",
        paramLabel = "PATH=PROVIDER:SECRET",
        description =
            "Receive webhooks at PATH (repeatable), e.g."
                + " /hooks/stripe=stripe:env:STRIPE_SECRET: verify the signature, deduplicate by event"
                + " id and forward each event once to the upstream at PATH with Idempotency-Key:"
                + " PROVIDER:EVENT_ID; an upstream non-2xx releases it for the sender's retry."
                + " Providers: stripe, standard-webhooks (svix), github, paypal, hmac; secrets env:NAME"
                + " or file:PATH.")
    List<String> webhooks = new ArrayList<>();

    @Option(
        names = "--webhook-retention",
        paramLabel = "DURATION",
        description = "How long webhook event ids are remembered (default 7d).")
    String webhookRetention = "7d";

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help and exit.")
    boolean help;

    @Option(
        names = {"-V", "--version"},
        versionHelp = true,
        description = "Show the version and exit.")
    boolean version;

    GatewayConfig toConfig() {
      if (listen == null) {
        throw new IllegalArgumentException("--listen HOST:PORT is required");
      }
      if (upstream == null) {
        throw new IllegalArgumentException("--upstream URL is required");
      }
      GatewayConfig.Builder builder = GatewayConfig.builder(upstreamUri(upstream));
      String[] address = hostAndPort("--listen", listen);
      flag("--listen", () -> builder.listen(address[0], Integer.parseInt(address[1])));
      flag("--store", () -> builder.storeLocation(StoreLocation.parse(store)));
      builder.keyRequired(requireKey);
      flag("--methods", () -> builder.methods(list(methods)));
      flag("--retention", () -> builder.retention(DurationText.parse(retention)));
      flag("--lease", () -> builder.lease(DurationText.parse(lease)));
      flag(
          "--upstream-timeout", () -> builder.upstreamTimeout(DurationText.parse(upstreamTimeout)));
      flag(
          "--upstream-idle-timeout",
          () -> builder.upstreamIdleTimeout(DurationText.parse(upstreamIdleTimeout)));
      flag("--wait-in-flight", () -> builder.waitForInFlight(DurationText.parse(waitInFlight)));
      if (tenant != null && tenantHeader != null) {
        throw new IllegalArgumentException(
            "--tenant and --tenant-header cannot be combined; use --tenant header:NAME");
      }
      if (tenant != null) {
        flag("--tenant", () -> builder.tenant(tenant));
      }
      if (tenantHeader != null) {
        flag("--tenant-header", () -> builder.tenantHeader(tenantHeader));
      }
      flag("--max-body", () -> builder.maxRequestBodyBytes(bodyLimit(maxBody)));
      flag("--max-response", () -> builder.maxResponseBodyBytes(bodyLimit(maxResponse)));
      flag("--on-unknown", () -> builder.onUnknownOutcome(onUnknown(onUnknown)));
      if (admin != null) {
        String[] adminAddress = hostAndPort("--admin", admin);
        flag("--admin", () -> builder.admin(adminAddress[0], Integer.parseInt(adminAddress[1])));
      }
      flag("--drain-timeout", () -> builder.drainTimeout(DurationText.parse(drainTimeout)));
      if (engine != null) {
        flag("--engine", () -> builder.engine(engine(engine)));
      }
      for (String webhook : webhooks) {
        flag(
            "--webhook",
            () -> builder.webhook(dev.idempo.webhooks.WebhookEndpointSpec.parse(webhook)));
      }
      flag(
          "--webhook-retention",
          () -> builder.webhookRetention(DurationText.parse(webhookRetention)));
      return flag("the flags", builder::build);
    }

    private static URI upstreamUri(String text) {
      URI uri;
      try {
        uri = new URI(text.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("--upstream: not a URL: " + text);
      }
      return flag(
          "--upstream",
          () -> {
            GatewayConfig.builder(uri);
            return uri;
          });
    }

    private static String[] hostAndPort(String flag, String text) {
      String trimmed = text.trim();
      int colon = trimmed.lastIndexOf(':');
      String host = colon < 0 ? "" : trimmed.substring(0, colon);
      String port = colon < 0 ? "" : trimmed.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (host.isEmpty() || !port.matches("\\d{1,5}")) {
        throw new IllegalArgumentException(
            flag + " must be HOST:PORT, e.g. 127.0.0.1:8080; was '" + text + "'");
      }
      return new String[] {host, port};
    }

    private static List<String> list(String text) {
      List<String> items = new ArrayList<>();
      for (String item : text.split(",", -1)) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return items;
    }

    private static int bodyLimit(String text) {
      long bytes = ByteSize.parse(text);
      if (bytes > HttpIdempotency.MAX_BODY_LIMIT) {
        throw new IllegalArgumentException("must be at most 256MiB, was " + text);
      }
      return (int) bytes;
    }

    private static Engine engine(String text) {
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "netty" -> Engine.NETTY;
        case "jetty" -> Engine.JETTY;
        default -> throw new IllegalArgumentException("must be netty or jetty, was '" + text + "'");
      };
    }

    private static OnUnknownOutcome onUnknown(String text) {
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "fail" -> OnUnknownOutcome.FAIL;
        case "reexecute" -> OnUnknownOutcome.REEXECUTE;
        default ->
            throw new IllegalArgumentException("must be fail or reexecute, was '" + text + "'");
      };
    }

    /** Runs one step of building, prefixing any complaint with the flag it is about. */
    private static <T> T flag(String flag, java.util.function.Supplier<T> step) {
      try {
        return step.get();
      } catch (IllegalArgumentException | NullPointerException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        throw new IllegalArgumentException(
            message.startsWith(flag) ? message : flag + ": " + message, e);
      }
    }
  }
}
