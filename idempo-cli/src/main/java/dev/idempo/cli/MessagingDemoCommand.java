package dev.idempo.cli;

import dev.idempo.cli.demo.messaging.MessagingDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code idempo demo messaging}: lost and duplicated charges through Kafka, none with Idempo. */
@Command(
    name = "messaging",
    mixinStandardHelpOptions = true,
    description = {
      "Orders through Kafka to a payments consumer: lost and duplicated charges without Idempo,"
          + " none with it.",
      "Starts a real Kafka broker in this process (KRaft) and runs the same orders twice under"
          + " the same faults: the order service dies between its commit and its publish, acks"
          + " are lost and events resent, the relay and the consumer are killed mid-way. Once"
          + " publish-after-commit with auto-commit consumers, once with the Idempo outbox, relay"
          + " and transactional consumer. Counts from the payments consumer's own ledger."
    })
final class MessagingDemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--orders",
      defaultValue = "500",
      description = "Orders to place (default ${DEFAULT-VALUE}).")
  int orders;

  @Option(names = "--seed", description = "Seed of the faults (default: random; printed).")
  Long seed;

  @Override
  public Integer call() {
    // The table, not the logs: killed consumers and relays make the broker warn and the Kafka
    // clients complain on purpose. Real errors of the broker still show.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients", "off");
    }
    MessagingDemo demo;
    try {
      demo =
          MessagingDemo.builder()
              .orders(orders)
              .seed(seed != null ? seed : System.nanoTime())
              .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    System.err.println("idempo demo messaging: starting a Kafka broker in this process...");
    MessagingDemo.Outcome outcome;
    try {
      outcome = demo.run();
    } catch (IllegalStateException | java.io.UncheckedIOException e) {
      System.err.println("idempo demo messaging: " + e.getMessage());
      return 1;
    }
    System.out.print(outcome.table());
    return outcome.idempo().exact() ? 0 : 1;
  }
}
