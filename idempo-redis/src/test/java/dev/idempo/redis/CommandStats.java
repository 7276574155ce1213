package dev.idempo.redis;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts commands with {@code INFO commandstats}: a snapshot, and the calls made between two
 * snapshots. Counts are exact, unlike timings.
 */
final class CommandStats {
  /**
   * The commands the store's scripts run inside Redis; commandstats counts them too, but they are
   * not round trips.
   */
  static final Set<String> INSIDE_SCRIPTS =
      Set.of("get", "set", "time", "pttl", "del", "hmget", "hset", "hdel", "pexpireat", "exists");

  private final Map<String, Long> calls;

  private CommandStats(Map<String, Long> calls) {
    this.calls = calls;
  }

  /** Reads the server's counters through {@code raw}. */
  static CommandStats read(RedisCommands<String, String> raw) {
    Map<String, Long> calls = new HashMap<>();
    for (String line : raw.info("commandstats").split("\r?\n", -1)) {
      // cmdstat_evalsha:calls=2,usec=61,usec_per_call=30.50,rejected_calls=0,failed_calls=0
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      long total = 0;
      for (String field : line.substring(line.indexOf(':') + 1).split(",", -1)) {
        String[] pair = field.split("=", -1);
        if (pair[0].equals("calls") || pair[0].equals("rejected_calls")) {
          total += Long.parseLong(pair[1]);
        }
      }
      calls.put(name, total);
    }
    return new CommandStats(calls);
  }

  /** Commands called since {@code before}, by name, leaving out the INFO that read them. */
  Map<String, Long> since(CommandStats before) {
    Map<String, Long> delta = new TreeMap<>();
    calls.forEach(
        (name, count) -> {
          long made = count - before.calls.getOrDefault(name, 0L);
          if (made != 0 && !name.equals("info")) {
            delta.put(name, made);
          }
        });
    return delta;
  }

  /** Round trips since {@code before}: every command except those run inside scripts. */
  long roundTripsSince(CommandStats before) {
    return since(before).entrySet().stream()
        .filter(entry -> !INSIDE_SCRIPTS.contains(entry.getKey()))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
