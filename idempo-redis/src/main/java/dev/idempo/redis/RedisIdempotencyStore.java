package dev.idempo.redis;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.ClaimToken;
import dev.idempo.store.IdempotencyRecord;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.RecoveryPoint;
import dev.idempo.store.StorageKey;
import dev.idempo.store.StoreLimits;
import dev.idempo.store.StoreUnavailableException;
import dev.idempo.store.StoredRecordUnreadableException;
import dev.idempo.store.StoredResponse;
import dev.idempo.store.UpdateResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ConnectionIntent;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link IdempotencyStore} in Redis (5 or newer, tested on 7.0), on Lettuce. See the {@linkplain
 * dev.idempo.redis package documentation} for the server configuration it needs ({@code
 * maxmemory-policy noeviction}) and what a failover can lose.
 *
 * <p><b>Atomicity and round trips.</b> {@link #claim}, {@link #complete}, {@link #release}, {@link
 * #renew}, {@link #checkpoint}, {@link #abandon} and {@link #find} are each ONE Lua script, run
 * with {@code EVALSHA} (and with {@code EVAL} when the server answers {@code NOSCRIPT}, after a
 * restart, failover or {@code SCRIPT FLUSH}, which also caches it again). Redis runs a script
 * without interleaving other commands, so every decision and its write are one atomic step. A new
 * request costs two round trips (claim, complete), a replay one; the claim token rides in the claim
 * script, and {@link #abandon} runs only after a claim whose answer was lost.
 *
 * <p><b>Server cost.</b> On a small machine the client and Redis share the cores, so what a script
 * does inside the server bounds throughput as much as round trips do: each {@code redis.call} costs
 * about what a command sent by a client costs. A new request runs {@code GET}, {@code TIME} and
 * {@code SET} in its claim and {@code GET} and {@code SET} in its completion; a replay runs one
 * {@code GET}.
 *
 * <p><b>Keys.</b> One record is one string at {@code <keyPrefix>{<storage key in base64url>}}; the
 * braces are a Redis Cluster hash tag, and the store never touches a second key, so a script's keys
 * always live in one slot. The value's layout is format version 2 ({@code RedisRecordFormat}): a
 * fixed-width head (version, state, fingerprint, claim token, fence, lease end, retention) and the
 * stored response or the recovery point. Records of format version 1 (a hash, written by earlier
 * versions) are read as format 2 and replaced by it on their next write. A record of another format
 * version fails with {@link UnknownRecordFormatException} and is left unchanged. Earlier versions
 * of this store cannot read format 2 (Redis answers their hash commands {@code WRONGTYPE}, which
 * they report as {@link StoreUnavailableException}): during a rolling upgrade, a key first written
 * by an upgraded instance is unavailable to the instances not yet upgraded.
 *
 * <p><b>Time.</b> Leases and fences use the Redis server's clock ({@code TIME} inside the scripts),
 * never this JVM's. Retention is native: each record carries a Redis expiry ({@code SET ... PX}):
 * for an IN_PROGRESS record the later of its lease end and claim time plus retention; for a
 * COMPLETED one, completion time plus retention, so Redis deletes it and {@link #purgeExpired} has
 * nothing to do and answers 0.
 *
 * <p><b>Fences.</b> A claim's fence is {@code max(previous fence + 1, server time in
 * microseconds)}. A release or an expiry deletes the record and with it the previous fence, so a
 * counter alone would restart at 1 and a zombie holder's old fence could become current again.
 * Deriving the fence from the server's clock keeps it growing with no second key and no tombstone
 * whose lifetime would have to outlast every zombie: two claims of one key are at least one round
 * trip apart, so the later one reads a later microsecond. The {@code previous + 1} term keeps
 * takeovers strictly increasing even within one microsecond. The assumption is that the server's
 * clock does not step back by more than the time between two claims of one key; a failover to a
 * replica whose clock lags is the realistic way to break it, and a failover can lose records anyway
 * (see the package documentation). Fences fit comfortably in a {@code long} and are exact in Lua's
 * doubles (below 2<sup>53</sup> until the year 2255).
 *
 * <p><b>Failures.</b> Every Redis error, timeout ({@link Builder#commandTimeout}, 2 s by default,
 * enforced by this store whatever the connection's own timeout) or lost connection surfaces as
 * {@link StoreUnavailableException} carrying Lettuce's exception as its cause.
 *
 * <p><b>Replicas.</b> With {@link Builder#waitForReplicas}, every claim that acquires and every
 * complete that applies is followed by {@code WAIT}; if fewer replicas acknowledge in time, the
 * call throws {@link StoreUnavailableException} (and an acquired claim is released first, best
 * effort, so the caller must not run the work and a retry may claim again).
 *
 * <p><b>Redis Cluster.</b> {@link #builder(RedisClusterClient)} runs the same scripts on a cluster,
 * each on the master of its key's slot and on that node's clock; with {@link
 * Builder#waitForReplicas} each script and its {@code WAIT} share the connection to that master.
 * See the {@linkplain dev.idempo.redis package documentation} for what a failover does.
 *
 * <p>Thread-safe: calls from many threads share one connection (Lettuce pipelines them; on a
 * cluster, one connection per node).
 */
public final class RedisIdempotencyStore implements IdempotencyStore {
  /** The default key prefix: {@value}. */
  public static final String DEFAULT_KEY_PREFIX = "idempo:";

  /** The default cap on a stored response: 1 MiB. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  /** The largest {@link Builder#maxResponseBytes} accepted: 256 MiB. */
  public static final int MAX_RESPONSE_BYTES_LIMIT = 256 * 1024 * 1024;

  /** The default time a command may take before the store reports it unavailable: 2 s. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

  private static final System.Logger LOGGER =
      System.getLogger(RedisIdempotencyStore.class.getName());
  private static final int MAX_KEY_PREFIX_LENGTH = 256;
  private static final Duration MAX_COMMAND_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration MAX_WAIT_TIMEOUT = Duration.ofMinutes(1);
  private static final int MAX_WAIT_REPLICAS = 100;

  private final StatefulConnection<byte[], byte[]> connection;
  private final boolean ownsConnection;

  /** Commands routed by Lettuce: to the one server, or to the node owning a key's slot. */
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;

  /** The cluster connection, or null for a standalone server. */
  private final StatefulRedisClusterConnection<byte[], byte[]> cluster;

  private final String keyPrefix;
  private final int maxResponseBytes;
  private final Duration commandTimeout;
  private final int waitReplicas;
  private final Duration waitTimeout;
  private final Optional<String> maxmemoryPolicy;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisIdempotencyStore(
      Builder builder, StatefulRedisConnection<byte[], byte[]> connection, boolean ownsConnection) {
    this(builder, connection, connection.async(), null, ownsConnection);
  }

  private RedisIdempotencyStore(
      Builder builder,
      StatefulRedisClusterConnection<byte[], byte[]> cluster,
      boolean ownsConnection) {
    this(builder, cluster, cluster.async(), cluster, ownsConnection);
  }

  private RedisIdempotencyStore(
      Builder builder,
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterAsyncCommands<byte[], byte[]> commands,
      StatefulRedisClusterConnection<byte[], byte[]> cluster,
      boolean ownsConnection) {
    this.connection = connection;
    this.ownsConnection = ownsConnection;
    this.commands = commands;
    this.cluster = cluster;
    this.keyPrefix = builder.keyPrefix;
    this.maxResponseBytes = builder.maxResponseBytes;
    this.commandTimeout = builder.commandTimeout;
    this.waitReplicas = builder.waitReplicas;
    this.waitTimeout = builder.waitTimeout;
    this.maxmemoryPolicy = checkMaxmemoryPolicy();
  }

  /**
   * A builder for a store that opens (and on {@link #close()} closes) its own connection from
   * {@code client}.
   *
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(RedisClient client) {
    return new Builder(Objects.requireNonNull(client, "client must not be null"), null, null, null);
  }

  /**
   * A builder for a store on a Redis Cluster that opens (and on {@link #close()} closes) its own
   * cluster connection from {@code client}. Every script touches one key, so Lettuce routes it to
   * the master of that key's slot, and the script reads that node's clock. Give the client adaptive
   * topology refresh ({@code ClusterTopologyRefreshOptions .enableAllAdaptiveRefreshTriggers()}) so
   * that it follows a failover promptly; until it does, calls on the lost master's slots fail with
   * {@link StoreUnavailableException}.
   *
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(RedisClusterClient client) {
    return new Builder(null, null, Objects.requireNonNull(client, "client must not be null"), null);
  }

  /**
   * A builder for a store on a Redis Cluster connection, which the caller keeps owning: {@link
   * #close()} leaves it open.
   *
   * @throws NullPointerException if {@code connection} is null
   */
  public static Builder builder(StatefulRedisClusterConnection<byte[], byte[]> connection) {
    return new Builder(
        null, null, null, Objects.requireNonNull(connection, "connection must not be null"));
  }

  /**
   * A builder for a store on {@code connection}, which the caller keeps owning: {@link #close()}
   * leaves it open. The store never changes the connection's settings.
   *
   * @throws NullPointerException if {@code connection} is null
   */
  public static Builder builder(StatefulRedisConnection<byte[], byte[]> connection) {
    return new Builder(
        null, Objects.requireNonNull(connection, "connection must not be null"), null, null);
  }

  @Override
  public ClaimResult claim(
      StorageKey key,
      Fingerprint fingerprint,
      Duration lease,
      Duration retention,
      ClaimToken token) {
    StoreLimits.checkClaim(key, fingerprint, lease, retention, token);
    RedisClusterAsyncCommands<byte[], byte[]> node = scriptCommands(key);
    List<?> reply =
        (List<?>)
            evaluate(
                node,
                RecordScript.CLAIM,
                ScriptOutputType.MULTI,
                key,
                fingerprint.toBytes(),
                decimal(lease.toMillis()),
                decimal(retention.toMillis()),
                token.toBytes());
    ClaimResult result = decodeClaim(key, reply);
    if (result instanceof ClaimResult.Acquired acquired && waitReplicas >= 0) {
      awaitReplicasAfterClaim(node, key, acquired.fence());
    }
    return result;
  }

  @Override
  public UpdateResult complete(StorageKey key, long fence, StoredResponse response) {
    StoreLimits.checkFenced(key, fence);
    Objects.requireNonNull(response, "response must not be null");
    if (response.size() > maxResponseBytes) {
      throw new IllegalArgumentException(
          "response is "
              + response.size()
              + " bytes, more than maxResponseBytes ("
              + maxResponseBytes
              + "); nothing was stored");
    }
    RedisClusterAsyncCommands<byte[], byte[]> node = scriptCommands(key);
    UpdateResult result = update(node, RecordScript.COMPLETE, key, fence, response.toBytes());
    if (result.applied() && waitReplicas >= 0) {
      long acknowledged = awaitReplicas(node, key, "complete");
      if (acknowledged < waitReplicas) {
        throw new StoreUnavailableException(
            notAcknowledged("completion", key, acknowledged)
                + "; the response is stored on the primary but a failover may lose it",
            null);
      }
    }
    return result;
  }

  @Override
  public UpdateResult release(StorageKey key, long fence) {
    StoreLimits.checkFenced(key, fence);
    return update(scriptCommands(key), RecordScript.RELEASE, key, fence);
  }

  /**
   * One script, like {@link #release}; on the same connection, so it runs after any claim sent
   * before it.
   */
  @Override
  public UpdateResult abandon(StorageKey key, ClaimToken token) {
    StoreLimits.checkAbandon(key, token);
    Long applied =
        (Long)
            evaluate(
                scriptCommands(key),
                RecordScript.ABANDON,
                ScriptOutputType.INTEGER,
                key,
                token.toBytes());
    return applied == 1L ? UpdateResult.APPLIED : UpdateResult.FENCE_LOST;
  }

  @Override
  public UpdateResult renew(StorageKey key, long fence, Duration lease) {
    StoreLimits.checkFenced(key, fence);
    StoreLimits.checkLease(lease);
    return update(scriptCommands(key), RecordScript.RENEW, key, fence, decimal(lease.toMillis()));
  }

  @Override
  public UpdateResult checkpoint(StorageKey key, long fence, RecoveryPoint point) {
    StoreLimits.checkFenced(key, fence);
    Objects.requireNonNull(point, "point must not be null");
    return update(
        scriptCommands(key),
        RecordScript.CHECKPOINT,
        key,
        fence,
        point.name().getBytes(StandardCharsets.UTF_8),
        point.state());
  }

  /** One script (read-only): the record, its time to live and the server's time. */
  @Override
  public Optional<IdempotencyRecord> find(StorageKey key) {
    Objects.requireNonNull(key, "key must not be null");
    List<?> reply = (List<?>) evaluate(commands, RecordScript.FIND, ScriptOutputType.MULTI, key);
    if (reply.isEmpty()) {
      return Optional.empty();
    }
    long ttl = (Long) reply.get(1);
    long now = (Long) reply.get(2);
    return Optional.of(
        RedisRecordFormat.decode(
            redisKey(key),
            bytes(key, reply, 0),
            ttl < 0 ? Instant.MAX : Instant.ofEpochMilli(now + ttl)));
  }

  /**
   * Answers 0: every record carries a native Redis expiry ({@code PEXPIREAT}), so Redis deletes
   * expired records itself (lazily on access and by its active expiry cycle), and an expired record
   * is invisible to every command before it is reclaimed.
   *
   * @throws IllegalArgumentException if {@code limit} is not between 1 and 100,000
   */
  @Override
  public int purgeExpired(int limit) {
    StoreLimits.checkPurgeLimit(limit);
    return 0;
  }

  /**
   * The {@code maxmemory-policy} the server reported when this store was built, or empty if the
   * server refused {@code CONFIG GET} (as managed services often do). Anything but {@code
   * noeviction} was logged as a warning then.
   */
  public Optional<String> maxmemoryPolicy() {
    return maxmemoryPolicy;
  }

  /** Closes the connection if this store opened it; otherwise does nothing. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownsConnection) {
      connection.close();
    }
  }

  /** The Redis key of {@code key}'s record: {@code <keyPrefix>{<base64url>}}. */
  byte[] recordKey(StorageKey key) {
    return redisKey(key).getBytes(StandardCharsets.UTF_8);
  }

  private String redisKey(StorageKey key) {
    return keyPrefix + '{' + key + '}';
  }

  // ------------------------------------------------------------------------------- decoding

  private ClaimResult decodeClaim(StorageKey key, List<?> reply) {
    String tag = RedisRecordFormat.text(bytes(key, reply, 0));
    switch (tag) {
      case "A" -> {
        long fence = RedisRecordFormat.parseDecimal(bytes(key, reply, 1));
        boolean takeover = ((Long) reply.get(2)) == 1L;
        Optional<RecoveryPoint> point =
            reply.size() >= 5
                ? Optional.of(
                    RecoveryPoint.of(
                        RedisRecordFormat.text(bytes(key, reply, 3)), bytes(key, reply, 4)))
                : Optional.empty();
        return new ClaimResult.Acquired(fence, takeover, point);
      }
      case "R" -> {
        return new ClaimResult.Replay(StoredResponse.of(bytes(key, reply, 1)));
      }
      case "I" -> {
        return new ClaimResult.InFlight(Duration.ofMillis((Long) reply.get(1)));
      }
      case "M" -> {
        return new ClaimResult.Mismatch();
      }
      default ->
          throw new IllegalStateException(
              "unexpected claim reply " + tag + " for " + redisKey(key) + ": " + reply);
    }
  }

  private byte[] bytes(StorageKey key, List<?> reply, int index) {
    Object value = reply.get(index);
    if (!(value instanceof byte[] array)) {
      throw new IllegalStateException(
          "unexpected script reply for " + redisKey(key) + ": element " + index + " is " + value);
    }
    return array;
  }

  // -------------------------------------------------------------------------------- calling

  private UpdateResult update(
      RedisClusterAsyncCommands<byte[], byte[]> node,
      RecordScript script,
      StorageKey key,
      long fence,
      byte[]... rest) {
    byte[][] args = new byte[rest.length + 1][];
    args[0] = RedisRecordFormat.fence(fence);
    System.arraycopy(rest, 0, args, 1, rest.length);
    Long applied = (Long) evaluate(node, script, ScriptOutputType.INTEGER, key, args);
    return applied == 1L ? UpdateResult.APPLIED : UpdateResult.FENCE_LOST;
  }

  /**
   * Where {@code key}'s scripts run: the routed commands, except on a cluster with {@code WAIT},
   * where a script and its {@code WAIT} must share one connection to one node ({@code WAIT} counts
   * the replicas that acknowledged the writes of the connection it runs on): then the connection to
   * the master that owns the key's slot in Lettuce's current view. If that view is stale, the node
   * answers MOVED and the call fails with {@link StoreUnavailableException} having written nothing.
   */
  private RedisClusterAsyncCommands<byte[], byte[]> scriptCommands(StorageKey key) {
    if (cluster == null || waitReplicas < 0) {
      return commands;
    }
    int slot = SlotHash.getSlot(recordKey(key));
    RedisClusterNode master = cluster.getPartitions().getMasterBySlot(slot);
    if (master == null) {
      throw new StoreUnavailableException(
          "no Redis Cluster master serves slot " + slot + " of " + redisKey(key), null);
    }
    try {
      return cluster.getConnection(master.getNodeId(), ConnectionIntent.WRITE).async();
    } catch (RedisException e) {
      throw unavailable("connection to the master of slot " + slot, key, e);
    }
  }

  /**
   * Runs {@code script} on {@code key}'s record: EVALSHA, or EVAL if the server lacks it. The reply
   * is what {@code type} decodes to ({@code Long} for INTEGER, a {@code List} for MULTI): callers
   * cast it, so a script answering otherwise fails at the cast, not later.
   */
  private Object evaluate(
      RedisClusterAsyncCommands<byte[], byte[]> node,
      RecordScript script,
      ScriptOutputType type,
      StorageKey key,
      byte[]... args) {
    byte[][] keys = {recordKey(key)};
    try {
      try {
        return await(node.<Object>evalsha(script.sha1(), type, keys, args), commandTimeout);
      } catch (RedisNoScriptException notCached) {
        // The server's script cache is empty (restart, failover, SCRIPT FLUSH): EVAL caches it.
        return await(node.<Object>eval(script.source(), type, keys, args), commandTimeout);
      }
    } catch (RedisCommandExecutionException e) {
      String message = String.valueOf(e.getMessage());
      if (message.startsWith(RedisRecordFormat.UNKNOWN_FORMAT_ERROR)) {
        String version = message.substring(RedisRecordFormat.UNKNOWN_FORMAT_ERROR.length());
        throw new UnknownRecordFormatException(
            redisKey(key), "none".equals(version) ? null : version);
      }
      if (message.startsWith(RedisRecordFormat.UNREADABLE_ERROR)) {
        throw new StoredRecordUnreadableException(
            "Redis record "
                + redisKey(key)
                + ": "
                + message.substring(RedisRecordFormat.UNREADABLE_ERROR.length()));
      }
      throw unavailable(script.name(), key, e);
    } catch (RedisException e) {
      throw unavailable(script.name(), key, e);
    }
  }

  /** WAIT after an acquiring claim; on a shortfall, releases the claim (best effort) and throws. */
  private void awaitReplicasAfterClaim(
      RedisClusterAsyncCommands<byte[], byte[]> node, StorageKey key, long fence) {
    StoreUnavailableException failure;
    try {
      long acknowledged = awaitReplicas(node, key, "claim");
      if (acknowledged >= waitReplicas) {
        return;
      }
      failure =
          new StoreUnavailableException(
              notAcknowledged("claim", key, acknowledged)
                  + "; the claim was released and the work must not run",
              null);
    } catch (StoreUnavailableException e) {
      failure = e;
    }
    try {
      update(node, RecordScript.RELEASE, key, fence);
    } catch (RuntimeException releaseFailed) {
      failure.addSuppressed(releaseFailed);
    }
    throw failure;
  }

  private long awaitReplicas(
      RedisClusterAsyncCommands<byte[], byte[]> node, StorageKey key, String after) {
    try {
      return await(
          node.waitForReplication(waitReplicas, waitTimeout.toMillis()),
          waitTimeout.plus(commandTimeout));
    } catch (RedisException e) {
      throw unavailable("WAIT after " + after, key, e);
    }
  }

  private String notAcknowledged(String what, StorageKey key, long acknowledged) {
    return "only "
        + acknowledged
        + " of "
        + waitReplicas
        + " replicas acknowledged the "
        + what
        + " of "
        + redisKey(key)
        + " within "
        + waitTimeout.toMillis()
        + " ms (waitForReplicas)";
  }

  private StoreUnavailableException unavailable(String operation, StorageKey key, Throwable cause) {
    return new StoreUnavailableException(
        "Redis " + operation + " of " + redisKey(key) + " failed: " + cause.getMessage(), cause);
  }

  /**
   * Waits at most {@code timeout} for {@code future}, whatever the connection's own timeout; every
   * failure comes out as a {@link RedisException}.
   */
  private static <T> T await(RedisFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RedisCommandTimeoutException(
          "Redis did not answer within " + timeout.toMillis() + " ms (commandTimeout)");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RedisCommandInterruptedException(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RedisException redisException
          ? redisException
          : new RedisException(String.valueOf(cause), cause);
    } catch (CancellationException e) {
      throw new RedisException("the Redis command was cancelled", e);
    }
  }

  private static byte[] decimal(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  // ------------------------------------------------------------------------------ start-up

  /**
   * Reads maxmemory-policy; warns unless it is noeviction; tolerates CONFIG being refused. On a
   * cluster, asks every master and answers the first policy that is not noeviction, if any.
   */
  private Optional<String> checkMaxmemoryPolicy() {
    if (cluster == null) {
      return checkMaxmemoryPolicy(commands, "Redis");
    }
    List<RedisClusterNode> masters = new ArrayList<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
        masters.add(node);
      }
    }
    Optional<String> answer = Optional.empty();
    for (RedisClusterNode master : masters) {
      RedisClusterAsyncCommands<byte[], byte[]> node;
      try {
        node = cluster.getConnection(master.getNodeId(), ConnectionIntent.WRITE).async();
      } catch (RedisException e) {
        throw new StoreUnavailableException(
            "could not connect to Redis Cluster master " + master.getUri() + ": " + e.getMessage(),
            e);
      }
      Optional<String> policy =
          checkMaxmemoryPolicy(node, "Redis Cluster master " + master.getUri());
      if (answer.isEmpty() || answer.get().equals("noeviction")) {
        answer = policy.isPresent() ? policy : answer;
      }
    }
    return answer;
  }

  private Optional<String> checkMaxmemoryPolicy(
      RedisClusterAsyncCommands<byte[], byte[]> node, String server) {
    Map<String, String> reply;
    try {
      reply = await(node.configGet("maxmemory-policy"), commandTimeout);
    } catch (RedisCommandExecutionException refused) {
      LOGGER.log(
          Level.WARNING,
          "Could not check "
              + server
              + " maxmemory-policy (CONFIG GET refused: {0}), as is usual on"
              + " managed Redis. Make sure it is noeviction: an evicted IN_PROGRESS record lets a"
              + " duplicate run, an evicted COMPLETED one makes a retry run again.",
          refused.getMessage());
      return Optional.empty();
    } catch (RedisException e) {
      throw new StoreUnavailableException(
          server + " did not answer CONFIG GET maxmemory-policy at start-up: " + e.getMessage(), e);
    }
    String policy = reply == null ? null : reply.get("maxmemory-policy");
    if (policy == null) {
      LOGGER.log(
          Level.WARNING, server + " did not report maxmemory-policy; make sure it is noeviction.");
      return Optional.empty();
    }
    if (!"noeviction".equals(policy)) {
      LOGGER.log(
          Level.WARNING,
          server
              + " maxmemory-policy is {0}, not noeviction: under memory pressure Redis may evict"
              + " idempotency records, and an evicted IN_PROGRESS record lets a duplicate run."
              + " Set maxmemory-policy noeviction (writes then fail loudly instead).",
          policy);
    }
    return Optional.of(policy);
  }

  // ------------------------------------------------------------------------------- builder

  /**
   * Configures a {@link RedisIdempotencyStore}; every setter rejects bad values at once, naming the
   * argument. Not thread-safe; {@link #build()} copies the configuration, so a built store never
   * changes.
   */
  public static final class Builder {
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisClusterClient clusterClient;
    private final StatefulRedisClusterConnection<byte[], byte[]> clusterConnection;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private int waitReplicas = -1;
    private Duration waitTimeout = Duration.ZERO;

    private Builder(
        RedisClient client,
        StatefulRedisConnection<byte[], byte[]> connection,
        RedisClusterClient clusterClient,
        StatefulRedisClusterConnection<byte[], byte[]> clusterConnection) {
      this.client = client;
      this.connection = connection;
      this.clusterClient = clusterClient;
      this.clusterConnection = clusterConnection;
    }

    /**
     * The prefix of every key the store writes; {@value RedisIdempotencyStore#DEFAULT_KEY_PREFIX}
     * by default. Give each application (or test) its own to keep their records apart on one
     * server.
     *
     * @param keyPrefix up to 256 characters, without '{' or '}' (the store puts the Redis Cluster
     *     hash tag after it); may be empty
     */
    public Builder keyPrefix(String keyPrefix) {
      Objects.requireNonNull(keyPrefix, "keyPrefix must not be null");
      if (keyPrefix.length() > MAX_KEY_PREFIX_LENGTH) {
        throw new IllegalArgumentException(
            "keyPrefix must be at most "
                + MAX_KEY_PREFIX_LENGTH
                + " characters, was "
                + keyPrefix.length());
      }
      if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException(
            "keyPrefix must not contain '{' or '}' (the store adds the cluster hash tag itself),"
                + " was "
                + keyPrefix);
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * The largest response {@link RedisIdempotencyStore#complete} stores; larger ones are refused
     * with {@link IllegalArgumentException} before anything is written. 1 byte to 256 MiB; 1 MiB by
     * default.
     */
    public Builder maxResponseBytes(int maxResponseBytes) {
      if (maxResponseBytes < 1 || maxResponseBytes > MAX_RESPONSE_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be between 1 and "
                + MAX_RESPONSE_BYTES_LIMIT
                + ", was "
                + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * How long one command may take before the store throws {@link StoreUnavailableException} (the
     * command may still take effect on the server); 1 ms to 10 minutes, 2 s by default. Applied per
     * call by the store, whatever the connection's own timeout.
     */
    public Builder commandTimeout(Duration commandTimeout) {
      Objects.requireNonNull(commandTimeout, "commandTimeout must not be null");
      if (commandTimeout.compareTo(Duration.ofMillis(1)) < 0
          || commandTimeout.compareTo(MAX_COMMAND_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "commandTimeout must be between 1 ms and "
                + MAX_COMMAND_TIMEOUT
                + ", was "
                + commandTimeout);
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * After every claim that acquires and every complete that applies, runs {@code WAIT replicas
     * timeout}; if fewer than {@code replicas} replicas acknowledge, the call throws {@link
     * StoreUnavailableException}. After a claim that means the caller must not run the work (the
     * store releases the claim, best effort, so a retry may claim again); after a complete, the
     * response is stored on the primary but a failover may lose it. Off by default.
     *
     * <p>This narrows, and does not close, the failover window (see the package documentation).
     * {@code WAIT} blocks the connection it runs on for up to {@code timeout}, so other calls on
     * the same connection queue behind it; give the store its own connection in this mode.
     *
     * @param replicas 0 to 100; 0 never fails (useful for testing the extra round trip)
     * @param timeout 1 ms to 1 minute
     */
    public Builder waitForReplicas(int replicas, Duration timeout) {
      if (replicas < 0 || replicas > MAX_WAIT_REPLICAS) {
        throw new IllegalArgumentException(
            "replicas must be between 0 and " + MAX_WAIT_REPLICAS + ", was " + replicas);
      }
      Objects.requireNonNull(timeout, "timeout must not be null");
      if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_WAIT_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "timeout must be between 1 ms and " + MAX_WAIT_TIMEOUT + ", was " + timeout);
      }
      this.waitReplicas = replicas;
      this.waitTimeout = timeout;
      return this;
    }

    /**
     * Builds the store: opens its connection if it was given a client, then checks the server's
     * {@code maxmemory-policy} (logging a warning unless it is {@code noeviction}).
     *
     * @throws StoreUnavailableException if Redis cannot be reached
     */
    public RedisIdempotencyStore build() {
      if (connection != null) {
        return new RedisIdempotencyStore(this, connection, false);
      }
      if (clusterConnection != null) {
        return new RedisIdempotencyStore(this, clusterConnection, false);
      }
      if (clusterClient != null) {
        return buildOnCluster();
      }
      StatefulRedisConnection<byte[], byte[]> opened;
      try {
        opened = client.connect(ByteArrayCodec.INSTANCE);
      } catch (RedisException e) {
        throw new StoreUnavailableException("could not connect to Redis: " + e.getMessage(), e);
      }
      try {
        return new RedisIdempotencyStore(this, opened, true);
      } catch (RuntimeException e) {
        opened.close();
        throw e;
      }
    }

    private RedisIdempotencyStore buildOnCluster() {
      StatefulRedisClusterConnection<byte[], byte[]> opened;
      try {
        opened = clusterClient.connect(ByteArrayCodec.INSTANCE);
      } catch (RedisException e) {
        throw new StoreUnavailableException(
            "could not connect to the Redis Cluster: " + e.getMessage(), e);
      }
      try {
        return new RedisIdempotencyStore(this, opened, true);
      } catch (RuntimeException e) {
        opened.close();
        throw e;
      }
    }
  }
}
