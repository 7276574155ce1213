package dev.idempo.cli;

/**
 * {@code java -cp idempo.jar dev.idempo.cli.GatewayMain --listen HOST:PORT --upstream URL …}: runs
 * one gateway until SIGTERM, for a process that should be nothing but a gateway (a container's
 * entry point). The same command line as {@code idempo gateway} ({@link GatewayCommandLine}); only
 * the name in messages differs: {@code idempo-gateway}.
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) {
    int exitCode = GatewayCommandLine.run("idempo-gateway", args, System.out, System.err);
    System.exit(exitCode);
  }
}
