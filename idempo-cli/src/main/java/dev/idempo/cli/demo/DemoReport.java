package dev.idempo.cli.demo;

import java.time.Duration;

/** What one demo run counted, from the service's ledger and the clients' answers. */
public record DemoReport(
    boolean guarded,
    int logicalCharges,
    long requestsSent,
    long chargesRecorded,
    long doubleCharges,
    long wrongAnswers,
    Duration elapsed) {

  /** The two runs side by side. */
  public static String table(DoubleChargeDemo demo, DemoReport unguarded, DemoReport guarded) {
    StringBuilder out = new StringBuilder();
    out.append(demo.describe()).append("\n\n");
    String format = "%-16s %16s %14s %17s %15s %14s %9s%n";
    out.append(
        String.format(
            format,
            "",
            "logical charges",
            "requests sent",
            "charges recorded",
            "double charges",
            "wrong answers",
            "time"));
    for (DemoReport report : new DemoReport[] {unguarded, guarded}) {
      out.append(
          String.format(
              format,
              report.guarded ? "with Idempo" : "without Idempo",
              report.logicalCharges,
              report.requestsSent,
              report.chargesRecorded,
              report.doubleCharges,
              report.wrongAnswers,
              report.elapsed.toMillis() + " ms"));
    }
    out.append('\n');
    out.append(
        guarded.doubleCharges == 0 && guarded.wrongAnswers == 0
            ? "With Idempo every logical charge was recorded exactly once and every client got its own charge back.\n"
            : "WARNING: the guarded run recorded double charges or wrong answers; this is a bug, please report it.\n");
    return out.toString();
  }
}
