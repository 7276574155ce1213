package dev.idempo.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH benchmarks at 1 and 2 threads and prints each result next to the baseline measured in
 * the same run, with their ratio. Arguments are JMH's own (a benchmark regex, {@code -f}, {@code
 * -wi}, …); {@code -t} is set by this runner.
 *
 * <pre>java -jar idempo-benchmarks/target/benchmarks.jar InMemoryStoreBenchmark</pre>
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    List<String[]> rows = new ArrayList<>();
    for (int threads : new int[] {1, 2}) {
      ChainedOptionsBuilder options = new OptionsBuilder().parent(cli).threads(threads);
      Collection<RunResult> results = new Runner(options.build()).run();
      Double baseline = null;
      for (RunResult result : results) {
        if (result.getParams().getBenchmark().endsWith(".baselineConcurrentHashMap")) {
          baseline = result.getPrimaryResult().getScore();
        }
      }
      for (RunResult result : results) {
        String name = result.getParams().getBenchmark();
        double score = result.getPrimaryResult().getScore();
        double error = result.getPrimaryResult().getScoreError();
        String ratio = baseline == null ? "-" : String.format("%.2fx", score / baseline);
        rows.add(
            new String[] {
              name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
              String.valueOf(threads),
              String.format("%.1f ± %.1f", score, error),
              result.getPrimaryResult().getScoreUnit(),
              ratio
            });
      }
    }
    System.out.printf(
        "%n%-55s %7s %20s %8s %12s%n", "benchmark", "threads", "score", "unit", "vs baseline");
    for (String[] row : rows) {
      System.out.printf("%-55s %7s %20s %8s %12s%n", (Object[]) row);
    }
  }
}
