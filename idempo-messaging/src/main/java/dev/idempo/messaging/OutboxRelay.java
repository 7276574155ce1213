package dev.idempo.messaging;

import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * Publishes the {@link Outbox}'s pending events through an {@link OutboxPublisher}, at least once
 * and in order per key, and deletes each once its destination confirmed it.
 *
 * <pre>{@code
 * try (OutboxRelay relay =
 *     OutboxRelay.builder(outbox, KafkaOutboxPublisher.create(producer)).build()) {
 *   relay.start();
 *   ...
 * }
 * }</pre>
 *
 * <p><b>How.</b> A pass claims a batch with one {@code UPDATE … RETURNING} that sets this relay's
 * id and a lease on the rows ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL, so relays never wait on
 * or take each other's rows; SQLite's single writer serializes the claims), publishes them outside
 * any transaction, then deletes the confirmed ones in one statement fenced by its relay id. A batch
 * holds only the head of each key (the oldest pending event of that key), so events of one key go
 * out one after another, in order; events without a key go out in any order.
 *
 * <p><b>Failures.</b> A failed or timed-out publish returns the row to the line after a full-jitter
 * exponential backoff ({@code random(0, min(cap, base × 2^(attempts-1)))}), which holds back the
 * later events of its key; after {@link Builder#maxAttempts} it is marked dead with the reason (see
 * {@link Outbox#dead}) and its key moves on. A relay killed at any point loses nothing: an
 * unconfirmed row stays in the outbox and is claimed again when its lease runs out, and the resend
 * carries the same event id for downstream dedup. The lease must outlast the publish timeout, which
 * {@link Builder#build()} checks, so no event is dispatched by two relays at once.
 *
 * <p>Thread-safe; {@link #relayOnce()} may also be driven by the caller's own scheduler.
 */
public final class OutboxRelay implements AutoCloseable {
  private final Outbox outbox;
  private final OutboxPublisher publisher;
  private final int batchSize;
  private final int maxAttempts;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final Duration lease;
  private final Duration publishTimeout;
  private final Duration pollInterval;
  private final RandomGenerator random;
  private final OutboxListener listener;
  private final String relayId = UUID.randomUUID().toString();
  private final String claimSql;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closing;
  private Thread thread;

  private OutboxRelay(Builder builder) {
    this.outbox = builder.outbox;
    this.publisher = builder.publisher;
    this.batchSize = builder.batchSize;
    this.maxAttempts = builder.maxAttempts;
    this.baseBackoff = builder.baseBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.lease = builder.lease;
    this.publishTimeout = builder.publishTimeout;
    this.pollInterval = builder.pollInterval;
    this.random = builder.random;
    this.listener = builder.listener;
    String table = outbox.table();
    String skipLocked =
        outbox.dialect() == dev.idempo.jdbc.Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    this.claimSql =
        "UPDATE "
            + table
            + " SET claimed_by = ?, claimed_until = ? WHERE seq IN"
            + " (SELECT o.seq FROM "
            + table
            + " o WHERE o.state = 'PENDING'"
            + " AND o.next_attempt_at <= ?"
            + " AND (o.claimed_until IS NULL OR o.claimed_until <= ?)"
            + " AND (o.event_key IS NULL OR NOT EXISTS (SELECT 1 FROM "
            + table
            + " p"
            + " WHERE p.event_key = o.event_key AND p.state = 'PENDING' AND p.seq < o.seq))"
            + " ORDER BY o.seq LIMIT ?"
            + skipLocked
            + ") RETURNING seq, event_id, destination,"
            + " event_key, payload, headers, attempts, created_at";
  }

  public static Builder builder(Outbox outbox, OutboxPublisher publisher) {
    return new Builder(outbox, publisher);
  }

  /**
   * One pass: claims up to a batch of due events, publishes them and settles each.
   *
   * @return how many were published and deleted (a row whose claim another relay took over
   *     meanwhile is published but not counted: that relay publishes it again)
   * @throws StoreUnavailableException if the database failed; claimed rows are retried after the
   *     lease
   */
  public int relayOnce() {
    long claimedAt = outbox.clock().millis();
    List<OutboxEvent> batch = claim(claimedAt);
    if (batch.isEmpty()) {
      return 0;
    }
    List<CompletableFuture<?>> sends = new ArrayList<>(batch.size());
    for (OutboxEvent event : batch) {
      CompletableFuture<?> send;
      try {
        send = publisher.publish(event).toCompletableFuture();
      } catch (RuntimeException e) {
        send = CompletableFuture.failedFuture(e);
      }
      sends.add(send);
    }
    long deadline = System.nanoTime() + publishTimeout.toNanos();
    List<OutboxEvent> delivered = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Throwable failure = await(sends.get(i), deadline);
      if (failure == null) {
        delivered.add(batch.get(i));
      } else {
        fail(batch.get(i), failure);
      }
    }
    int deleted = delete(delivered);
    for (OutboxEvent event : delivered) {
      notify(() -> listener.onPublished(event));
    }
    return deleted;
  }

  private static Throwable await(CompletableFuture<?> send, long deadline) {
    try {
      send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      return new TimeoutException("the destination did not confirm within the publish timeout");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  private List<OutboxEvent> claim(long now) {
    try (Connection connection = outbox.dataSource().getConnection()) {
      connection.setAutoCommit(true);
      try (PreparedStatement claim = connection.prepareStatement(claimSql)) {
        claim.setString(1, relayId);
        claim.setLong(2, now + lease.toMillis());
        claim.setLong(3, now);
        claim.setLong(4, now);
        claim.setInt(5, batchSize);
        List<OutboxEvent> batch = new ArrayList<>();
        try (ResultSet rows = claim.executeQuery()) {
          while (rows.next()) {
            batch.add(Outbox.toEvent(rows));
          }
        }
        batch.sort(Comparator.comparingLong(OutboxEvent::sequence));
        return batch;
      }
    } catch (SQLException e) {
      throw DeadLetters.unavailable("claim outbox events", e);
    }
  }

  /** Deletes the delivered rows this relay still holds; returns how many. */
  private int delete(List<OutboxEvent> delivered) {
    if (delivered.isEmpty()) {
      return 0;
    }
    StringBuilder sql =
        new StringBuilder("DELETE FROM " + outbox.table() + " WHERE claimed_by = ? AND seq IN (");
    for (int i = 0; i < delivered.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append(')');
    try (Connection connection = outbox.dataSource().getConnection()) {
      connection.setAutoCommit(true);
      try (PreparedStatement delete = connection.prepareStatement(sql.toString())) {
        delete.setString(1, relayId);
        for (int i = 0; i < delivered.size(); i++) {
          delete.setLong(i + 2, delivered.get(i).sequence());
        }
        return delete.executeUpdate();
      }
    } catch (SQLException e) {
      // Published but not deleted: they go out once more after the lease, with the same ids.
      throw DeadLetters.unavailable("delete published outbox events", e);
    }
  }

  private void fail(OutboxEvent event, Throwable failure) {
    int attempts = event.attempts() + 1;
    boolean dead = attempts >= maxAttempts;
    long now = outbox.clock().millis();
    try (Connection connection = outbox.dataSource().getConnection()) {
      connection.setAutoCommit(true);
      try (PreparedStatement update =
          connection.prepareStatement(
              "UPDATE "
                  + outbox.table()
                  + " SET attempts = ?, state = ?, next_attempt_at = ?,"
                  + " claimed_by = NULL, claimed_until = NULL, last_error = ?"
                  + " WHERE seq = ? AND claimed_by = ?")) {
        update.setInt(1, attempts);
        update.setString(2, dead ? "DEAD" : "PENDING");
        update.setLong(3, now + backoff(attempts).toMillis());
        update.setString(4, DeadLetters.describe(failure));
        update.setLong(5, event.sequence());
        update.setString(6, relayId);
        update.executeUpdate();
      }
    } catch (SQLException e) {
      // The claim runs out and the event is retried then: nothing is lost.
      failure.addSuppressed(e);
      return;
    }
    if (dead) {
      notify(() -> listener.onDead(event, failure));
    } else {
      notify(() -> listener.onFailed(event, failure, attempts));
    }
  }

  /** Full jitter: uniformly random between zero and min(cap, base × 2^(attempts − 1)). */
  Duration backoff(int attempts) {
    long base = baseBackoff.toMillis();
    long cap = maxBackoff.toMillis();
    int shift = Math.min(attempts - 1, 40);
    long ceiling = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    return Duration.ofMillis(random.nextLong(ceiling + 1));
  }

  /**
   * Relays on a thread of its own: a pass right after a pass that published something, else after
   * the poll interval. Database outages are waited out.
   *
   * @throws IllegalStateException if already started
   */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("the relay was already started");
    }
    thread = new Thread(this::run, "idempo-outbox-relay");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (!closing) {
        int published;
        try {
          published = relayOnce();
        } catch (StoreUnavailableException e) {
          published = 0;
        }
        if (published == 0 && !closing) {
          try {
            Thread.sleep(pollInterval.toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  /** Stops after the pass in progress. */
  @Override
  public void close() {
    closing = true;
    Thread running;
    synchronized (this) {
      running = thread;
    }
    if (running != null && running != Thread.currentThread()) {
      running.interrupt();
      try {
        stopped.await(publishTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // A listener must never change the outcome.
    }
  }

  /** Configures an {@link OutboxRelay}. Not thread-safe. */
  public static final class Builder {
    private final Outbox outbox;
    private final OutboxPublisher publisher;
    private int batchSize = 100;
    private int maxAttempts = 10;
    private Duration baseBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private Duration lease = Duration.ofMinutes(2);
    private Duration publishTimeout = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofMillis(200);
    private RandomGenerator random = RandomGenerator.getDefault();
    private OutboxListener listener = OutboxListener.NONE;

    private Builder(Outbox outbox, OutboxPublisher publisher) {
      this.outbox = Objects.requireNonNull(outbox, "outbox must not be null");
      this.publisher = Objects.requireNonNull(publisher, "publisher must not be null");
    }

    /** Events claimed per pass; 1 to 10,000, 100 by default. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("batchSize must be 1 to 10000, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** Failed publishes after which an event is dead; 1 to 1000, 10 by default. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 1000) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 1000, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The backoff's base and cap: 200 ms and 5 minutes by default. */
    public Builder backoff(Duration base, Duration cap) {
      Objects.requireNonNull(base, "base must not be null");
      Objects.requireNonNull(cap, "cap must not be null");
      if (base.isNegative()
          || base.isZero()
          || cap.compareTo(base) < 0
          || cap.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "backoff needs 0 < base <= cap <= 1 day, was base " + base + ", cap " + cap);
      }
      this.baseBackoff = base;
      this.maxBackoff = cap;
      return this;
    }

    /** How long a claim protects events from other relays; longer than the publish timeout. */
    public Builder lease(Duration lease) {
      this.lease = positive(lease, "lease");
      return this;
    }

    /** How long a pass waits for its publishes' confirmations; 30 s by default. */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = positive(publishTimeout, "publishTimeout");
      return this;
    }

    /** The pause after a pass that found nothing to publish; 200 ms by default. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = positive(pollInterval, "pollInterval");
      return this;
    }

    /** The randomness of the backoff's jitter. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random must not be null");
      return this;
    }

    public Builder listener(OutboxListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name + " must not be null");
      if (duration.isNegative()
          || duration.isZero()
          || duration.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            name + " must be above zero and at most 1 day, was " + duration);
      }
      return duration;
    }

    /**
     * Builds the relay (not started).
     *
     * @throws IllegalArgumentException if the lease is not longer than the publish timeout
     */
    public OutboxRelay build() {
      if (lease.compareTo(publishTimeout.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "lease ("
                + lease
                + ") must be at least twice the publishTimeout ("
                + publishTimeout
                + "), so an event is never dispatched by two relays at once");
      }
      return new OutboxRelay(this);
    }
  }
}
