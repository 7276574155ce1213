package dev.idempo.cli.demo.messaging;

import java.time.Duration;

/**
 * What one pipeline run counted: traffic from the pipeline, charges from the payments service's own
 * ledger.
 *
 * @param guarded whether this was the Idempo pipeline
 * @param orders orders placed (each should be charged exactly once)
 * @param messagesSent records written to the orders topic, resends included
 * @param deliveries records handed to a payments consumer, redeliveries included
 * @param chargesRecorded rows in the payments ledger
 * @param duplicateCharges charges beyond the first of an order
 * @param missingCharges orders never charged
 * @param duplicatesSkipped deliveries acknowledged as duplicates without charging (Idempo only)
 * @param consumersKilled payments consumers the chaos killed (each replaced by a new one)
 * @param elapsed how long the run took
 */
public record MessagingReport(
    boolean guarded,
    int orders,
    long messagesSent,
    long deliveries,
    long chargesRecorded,
    long duplicateCharges,
    long missingCharges,
    long duplicatesSkipped,
    int consumersKilled,
    Duration elapsed) {

  /** True if every order was charged exactly once. */
  public boolean exact() {
    return duplicateCharges == 0 && missingCharges == 0 && chargesRecorded == orders;
  }

  static String table(
      String description, MessagingReport naive, MessagingReport idempo, Duration brokerStart) {
    StringBuilder out = new StringBuilder();
    out.append(description).append("\n\n");
    String format = "%-16s %7s %14s %11s %17s %18s %16s %8s%n";
    out.append(
        String.format(
            format,
            "",
            "orders",
            "messages sent",
            "deliveries",
            "charges recorded",
            "duplicate charges",
            "missing charges",
            "time"));
    for (MessagingReport report : new MessagingReport[] {naive, idempo}) {
      out.append(
          String.format(
              format,
              report.guarded ? "with Idempo" : "without Idempo",
              report.orders,
              report.messagesSent,
              report.deliveries,
              report.chargesRecorded,
              report.duplicateCharges,
              report.missingCharges,
              String.format("%.1f s", report.elapsed.toMillis() / 1000.0)));
    }
    out.append('\n');
    out.append(
        String.format(
            "The broker started in %.1f s. Consumers killed: %d without Idempo, %d with."
                + "%nWith Idempo, %d redelivered or resent events were acknowledged without a"
                + " charge.%n",
            brokerStart.toMillis() / 1000.0,
            naive.consumersKilled,
            idempo.consumersKilled,
            idempo.duplicatesSkipped));
    out.append(
        idempo.exact()
            ? "With Idempo every order was charged exactly once.\n"
            : "WARNING: the Idempo pipeline charged an order twice or not at all; this is a bug,"
                + " please report it.\n");
    return out.toString();
  }
}
