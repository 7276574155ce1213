package dev.idempo.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code idempo gateway}: runs the Idempo gateway, a reverse proxy that gives any HTTP service
 * Idempotency-Key semantics, until SIGTERM. The flags, their parsing and the run itself are {@link
 * GatewayCommandLine}'s: this command hands its arguments over untouched, so the help and the
 * one-line errors are that class's.
 */
@Command(
    name = "gateway",
    description = {
      "Runs a reverse proxy that makes retries safe: the first request with an Idempotency-Key is"
          + " forwarded and its response stored; every retry gets that response replayed.",
      "Usage: idempo gateway --listen HOST:PORT --upstream URL [--store memory[:RECORDS] |"
          + " sqlite:PATH | redis://HOST:PORT | redis-cluster://HOST:PORT,... |"
          + " jdbc:postgresql://...] [...];"
          + " see idempo gateway --help."
    })
final class GatewayCommand implements Callable<Integer> {
  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return GatewayCommandLine.run(
        "idempo gateway", args.toArray(String[]::new), System.out, System.err);
  }
}
