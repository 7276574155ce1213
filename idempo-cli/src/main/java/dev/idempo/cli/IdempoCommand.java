package dev.idempo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code idempo} command. */
@Command(
    name = "idempo",
    mixinStandardHelpOptions = true,
    version = "idempo 0.1.0-SNAPSHOT",
    description =
        "Makes retries safe: every retry of an operation gets the answer of its first run.",
    subcommands = {
      DemoCommand.class,
      RequestCommand.class,
      GatewayCommand.class,
      CommandLine.HelpCommand.class
    })
public final class IdempoCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and answers its exit code; for tests. */
  static int run(String... args) {
    // "@FILE" belongs to -d (curl style), not to picocli's argument files.
    return new CommandLine(new IdempoCommand()).setExpandAtFiles(false).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
