package dev.idempo.benchmarks;

import java.util.Arrays;

/** Latencies of one caller, in nanoseconds; merged and sorted for percentiles. Not thread-safe. */
final class LatencyRecorder {
  private long[] samples = new long[1 << 16];
  private int count;

  void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
    }
    samples[count++] = nanos;
  }

  int count() {
    return count;
  }

  static long[] merged(LatencyRecorder... recorders) {
    int total = 0;
    for (LatencyRecorder recorder : recorders) {
      total += recorder.count;
    }
    long[] all = new long[total];
    int at = 0;
    for (LatencyRecorder recorder : recorders) {
      System.arraycopy(recorder.samples, 0, all, at, recorder.count);
      at += recorder.count;
    }
    Arrays.sort(all);
    return all;
  }

  static double percentileMicros(long[] sorted, double percentile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index =
        (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1_000.0;
  }
}
