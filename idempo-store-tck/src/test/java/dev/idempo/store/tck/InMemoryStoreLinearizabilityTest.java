package dev.idempo.store.tck;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lincheck checks that the in-memory store's claim, complete and release are linearizable: every
 * concurrent history it explores equals some sequential order of the same calls (abandon by claim
 * token included). Two keys, two fingerprints and small fences make collisions (and so the
 * interesting interleavings) likely.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "request", gen = IntGen.class, conf = "0:1")
@Param(name = "fence", gen = IntGen.class, conf = "1:4")
@Param(name = "token", gen = IntGen.class, conf = "0:1")
public class InMemoryStoreLinearizabilityTest {
  /** Lincheck creates one instance per scenario. */
  public InMemoryStoreLinearizabilityTest() {}

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final StorageKey[] KEYS = {key(1), key(2)};
  private static final ClaimToken[] TOKENS = {ClaimToken.random(), ClaimToken.random()};
  private static final Fingerprint[] REQUESTS = {
    Fingerprint.builder().add("r", "a").build(), Fingerprint.builder().add("r", "b").build()
  };

  private final InMemoryIdempotencyStore store =
      InMemoryIdempotencyStore.builder().clock(() -> NOW).maxRecords(16).build();

  @Operation
  public String claim(
      @Param(name = "key") int key,
      @Param(name = "request") int request,
      @Param(name = "token") int token) {
    ClaimResult result = store.claim(KEYS[key], REQUESTS[request], LEASE, RETENTION, TOKENS[token]);
    if (result instanceof ClaimResult.Acquired acquired) {
      return "acquired " + acquired.fence() + (acquired.takeover() ? " takeover" : "");
    }
    if (result instanceof ClaimResult.Replay replay) {
      return "replay " + new String(replay.response().toBytes(), StandardCharsets.UTF_8);
    }
    if (result instanceof ClaimResult.InFlight) {
      return "in flight";
    }
    return "mismatch";
  }

  @Operation
  public String complete(@Param(name = "key") int key, @Param(name = "fence") int fence) {
    byte[] response = ("by fence " + fence).getBytes(StandardCharsets.UTF_8);
    return store.complete(KEYS[key], fence, StoredResponse.of(response)).name();
  }

  @Operation
  public String abandon(@Param(name = "key") int key, @Param(name = "token") int token) {
    return store.abandon(KEYS[key], TOKENS[token]).name();
  }

  @Operation
  public String release(@Param(name = "key") int key, @Param(name = "fence") int fence) {
    return store.release(KEYS[key], fence).name();
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        // The store's expiry index is a JDK skip list: trusted, so its internals need no search.
        .addGuarantee(
            ManagedStrategyGuaranteeKt.forClasses(ConcurrentSkipListSet.class.getName())
                .allMethods()
                .treatAsAtomic())
        .iterations(30)
        .invocationsPerIteration(500)
        .threads(2)
        .actorsPerThread(3)
        .check(getClass());
  }

  /** Longer, on real threads: part of the {@code stress} profile, not the default run. */
  @Test
  @Tag("stress")
  void stress() {
    new StressOptions()
        .iterations(30)
        .invocationsPerIteration(2_000)
        .threads(3)
        .actorsPerThread(3)
        .check(getClass());
  }

  private static StorageKey key(int n) {
    byte[] bytes = new byte[StorageKey.LENGTH];
    bytes[0] = (byte) n;
    return StorageKey.of(bytes);
  }
}
