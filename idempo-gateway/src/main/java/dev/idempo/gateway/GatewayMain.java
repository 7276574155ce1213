package dev.idempo.gateway;

/**
 * {@code java -cp … dev.idempo.gateway.GatewayMain --listen HOST:PORT --upstream URL …}: runs one
 * gateway until SIGTERM; the flags are {@link GatewayCommandLine}'s. The {@code idempo gateway}
 * command runs the same code.
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) {
    int exitCode = GatewayCommandLine.run("idempo-gateway", args, System.out, System.err);
    System.exit(exitCode);
  }
}
