package dev.idempo.cli;

import dev.idempo.cli.demo.DemoReport;
import dev.idempo.cli.demo.DoubleChargeDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code idempo demo}: double charges without Idempo, none with it. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    subcommands = MessagingDemoCommand.class,
    description = {
      "Runs a naive payments service over HTTP twice under the same lossy, duplicating,"
          + " double-clicking traffic: once straight to it, once through the idempo gateway on its"
          + " embedded SQLite store. Counts from the service's own ledger.",
      "`idempo demo messaging` does the same for events through Kafka."
    })
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--charges",
      defaultValue = "1000",
      description = "Logical charges to make (default ${DEFAULT-VALUE}).")
  int charges;

  @Option(
      names = "--clients",
      defaultValue = "8",
      description = "Concurrent clients (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--loss",
      defaultValue = "0.2",
      description = "Share of responses the network drops (default ${DEFAULT-VALUE}).")
  double loss;

  @Option(
      names = "--duplicates",
      defaultValue = "0.1",
      description = "Share of requests the network delivers twice (default ${DEFAULT-VALUE}).")
  double duplicates;

  @Option(
      names = "--double-clicks",
      defaultValue = "0.1",
      description = "Share of charges the user submits twice at once (default ${DEFAULT-VALUE}).")
  double doubleClicks;

  @Option(names = "--seed", description = "Random seed (default: random; printed).")
  Long seed;

  @Override
  public Integer call() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel", "warn"); // the table, not server logs
    }
    DoubleChargeDemo demo;
    try {
      demo =
          DoubleChargeDemo.builder()
              .charges(charges)
              .clients(clients)
              .responseLoss(loss)
              .duplicateDelivery(duplicates)
              .doubleClicks(doubleClicks)
              .seed(seed != null ? seed : System.nanoTime())
              .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    DemoReport unguarded = demo.run(false);
    DemoReport guarded = demo.run(true);
    System.out.print(DemoReport.table(demo, unguarded, guarded));
    return guarded.doubleCharges() == 0 && guarded.wrongAnswers() == 0 ? 0 : 1;
  }
}
