package dev.idempo.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One point of a cost curve: a store at a number of live records, its first-run latencies in
 * microseconds, and its size in bytes. Written as one TSV line per point; immutable.
 *
 * @param run when the run that measured it started (ISO-8601), so ratios stay within one run
 * @param loadAverage the machine's one-minute load average at the end of the measurement
 */
record CurveRow(
    String run,
    String store,
    long size,
    int ops,
    double claimP50,
    double claimP99,
    double firstRunP50,
    double firstRunP99,
    long bytes,
    String bytesMeaning,
    double loadAverage) {

  String tsv() {
    return String.join(
        "\t",
        run,
        store,
        Long.toString(size),
        Integer.toString(ops),
        number(claimP50),
        number(claimP99),
        number(firstRunP50),
        number(firstRunP99),
        Long.toString(bytes),
        bytesMeaning,
        number(loadAverage));
  }

  static CurveRow parse(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 11) {
      throw new IllegalArgumentException("a cost-curve row has 11 fields, not: " + line);
    }
    return new CurveRow(
        f[0],
        f[1],
        Long.parseLong(f[2]),
        Integer.parseInt(f[3]),
        Double.parseDouble(f[4]),
        Double.parseDouble(f[5]),
        Double.parseDouble(f[6]),
        Double.parseDouble(f[7]),
        Long.parseLong(f[8]),
        f[9],
        Double.parseDouble(f[10]));
  }

  static List<CurveRow> read(Path tsv) throws IOException {
    List<CurveRow> rows = new ArrayList<>();
    for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        rows.add(parse(line));
      }
    }
    return rows;
  }

  /** The rows of each store's latest run, stores in table order, sizes ascending. */
  static List<CurveRow> latestRuns(List<CurveRow> rows) {
    Map<String, String> latest = new LinkedHashMap<>();
    for (CurveRow row : rows) {
      latest.merge(row.store, row.run, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
    List<String> order = CostCurveBenchmark.storeNames();
    return rows.stream()
        .filter(row -> row.run.equals(latest.get(row.store)))
        .sorted(
            Comparator.comparingInt((CurveRow row) -> rank(order, row.store))
                .thenComparingLong(CurveRow::size))
        .toList();
  }

  private static int rank(List<String> order, String store) {
    int at = order.indexOf(store);
    return at < 0 ? order.size() : at;
  }

  /** The row of the smallest size in the same run of the same store. */
  static Optional<CurveRow> baseline(List<CurveRow> rows, CurveRow row) {
    return rows.stream()
        .filter(other -> other.store.equals(row.store) && other.run.equals(row.run))
        .min(Comparator.comparingLong(CurveRow::size));
  }

  /** One line for the console. */
  String describe(CurveRow baseline) {
    return String.format(
        Locale.ROOT,
        "%-10s N=%,12d claim p50 %8.1f p99 %8.1f µs; claim+complete p50 %8.1f p99 %8.1f µs"
            + " (%.2fx, %.2fx of N=%,d); %,.1f MB (%s), %.0f B/record; load %.2f",
        store,
        size,
        claimP50,
        claimP99,
        firstRunP50,
        firstRunP99,
        firstRunP50 / baseline.firstRunP50,
        firstRunP99 / baseline.firstRunP99,
        baseline.size,
        bytes / 1e6,
        bytesMeaning,
        bytes / (double) size,
        loadAverage);
  }

  /** A Markdown table per store, with each size's ratio to the smallest size of its run. */
  static String markdown(List<CurveRow> rows) {
    StringBuilder out = new StringBuilder();
    String store = null;
    for (CurveRow row : rows) {
      if (!row.store.equals(store)) {
        store = row.store;
        out.append(
                String.format(
                    Locale.ROOT,
                    "%n**%s** (run %s; size: %s; %,d first runs per size)%n%n",
                    row.store,
                    row.run,
                    row.bytesMeaning,
                    row.ops))
            .append(
                "| live records | claim p50 µs | claim p99 µs | claim+complete p50 µs"
                    + " | claim+complete p99 µs | p50 × N=10⁴ | p99 × N=10⁴ | size MB"
                    + " | bytes/record | load avg |\n")
            .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      }
      CurveRow base = baseline(rows, row).orElse(row);
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %,.1f | %,.0f | %.2f |%n",
              row.size,
              row.claimP50,
              row.claimP99,
              row.firstRunP50,
              row.firstRunP99,
              row.firstRunP50 / base.firstRunP50,
              row.firstRunP99 / base.firstRunP99,
              row.bytes / 1e6,
              row.bytes / (double) row.size,
              row.loadAverage));
    }
    return out.toString();
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
