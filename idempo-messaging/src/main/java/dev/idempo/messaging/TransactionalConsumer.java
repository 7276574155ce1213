package dev.idempo.messaging;

import dev.idempo.jdbc.Dialect;
import dev.idempo.store.StoreLimits;
import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The transactional idempotent consumer: a message's dedup record and its handler's writes commit
 * in ONE database transaction (PostgreSQL or SQLite), so a crash anywhere leaves neither and the
 * redelivery runs the handler once. The default for handlers whose effects live in the same
 * database.
 *
 * <pre>{@code
 * TransactionalConsumer payments = TransactionalConsumer.builder(dataSource, "payments")
 *     .messageId(MessageIdExtractor.header("event-id"))
 *     .build();
 * ConsumeOutcome outcome =
 *     payments.consume(message, (connection, m) -> insertCharge(connection, m));
 * if (outcome.settled()) { ack(); } else { redeliverLater(); }
 * }</pre>
 *
 * <p><b>How.</b> Per delivery: one {@code INSERT … ON CONFLICT DO UPDATE … WHERE expired} of
 * (consumer, message id) into {@code <prefix>consumed}, then the handler on the same connection,
 * then commit — one statement more than the handler's own. The insert takes nothing for a live
 * record: a duplicate, acknowledged without running the handler. A concurrent duplicate waits on
 * the uncommitted record (PostgreSQL's unique index; SQLite's write lock) and then is a duplicate,
 * or runs if the first rolled back. {@link #consumeAll} settles a batch in one transaction.
 *
 * <p><b>Failures.</b> A handler that throws rolls everything back; the failure is counted in the
 * dead-letter table and the outcome is {@link ConsumeOutcome#FAILED} (do not acknowledge). At the
 * {@link Builder#maxFailures}-th failure the message is parked as a {@link DeadLetter} together
 * with its dedup record, so redeliveries are acknowledged as duplicates; {@link #replay} runs it
 * again. A database failure throws {@link StoreUnavailableException}: nothing committed, do not
 * acknowledge.
 *
 * <p><b>Retention.</b> A dedup record lives {@link Builder#retention} (7 days by default, longer
 * than any redelivery you expect: a broker's retention, a DLQ round trip); after that a redelivery
 * runs again. Call {@link #purgeExpired} on a schedule to delete expired records in batches. Times
 * follow the injected clock (the system clock by default).
 *
 * <p>Thread-safe: any number of threads may consume at once, each on its own connection.
 */
public final class TransactionalConsumer {
  /** The default retention of a dedup record: 7 days. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  /** The default number of failures after which a message is parked: 5. */
  public static final int DEFAULT_MAX_FAILURES = 5;

  private final DataSource dataSource;
  private final String name;
  private final MessageIdExtractor extractor;
  private final Duration retention;
  private final int maxFailures;
  private final InstantSource clock;
  private final MessagingListener listener;
  private final MessagingTables tables;
  private final DeadLetters deadLetters;
  private final String dedupSql;

  private TransactionalConsumer(Builder builder, MessagingTables tables) {
    this.dataSource = builder.dataSource;
    this.name = builder.name;
    this.extractor = builder.extractor;
    this.retention = builder.retention;
    this.maxFailures = builder.maxFailures;
    this.clock = builder.clock;
    this.listener = builder.listener;
    this.tables = tables;
    this.deadLetters = new DeadLetters(dataSource, tables, clock);
    this.dedupSql =
        "INSERT INTO "
            + tables.consumed()
            + " AS t (consumer, message_id, consumed_at,"
            + " expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (consumer, message_id) DO UPDATE SET"
            + " consumed_at = excluded.consumed_at, expires_at = excluded.expires_at"
            + " WHERE t.expires_at <= excluded.consumed_at";
  }

  /**
   * A builder for consumer {@code name} (its dedup scope: two consumers with other names process
   * the same message independently) on {@code dataSource}.
   *
   * @throws IllegalArgumentException if {@code name} is empty or longer than 200 characters
   */
  public static Builder builder(DataSource dataSource, String name) {
    Objects.requireNonNull(dataSource, "dataSource must not be null");
    return new Builder(dataSource, checkName(name));
  }

  static String checkName(String name) {
    Objects.requireNonNull(name, "consumer name must not be null");
    if (name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException(
          "consumer name must be 1 to 200 characters and not blank, was \"" + name + "\"");
    }
    return name;
  }

  public String name() {
    return name;
  }

  public Duration retention() {
    return retention;
  }

  public int maxFailures() {
    return maxFailures;
  }

  /** The database's dialect, detected at build. */
  public Dialect dialect() {
    return tables.dialect;
  }

  /** The prefix of the messaging tables. */
  public String tablePrefix() {
    return tables.prefix;
  }

  /** The data source the consumer's transactions run on. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** The dead letters of this database and prefix. */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /**
   * The message's id per the extractor.
   *
   * @throws MissingMessageIdException if it has none, or it is longer than 1024 characters
   */
  public String messageId(Message message) {
    Objects.requireNonNull(message, "message must not be null");
    Optional<String> id = extractor.extract(message).filter(value -> !value.isBlank());
    if (id.isEmpty() || id.get().length() > 1024) {
      throw new MissingMessageIdException(name, extractor.describe(), message);
    }
    return id.get();
  }

  /**
   * Runs {@code handler} on {@code message} in a transaction with its dedup record, unless the
   * message was processed (or parked) before.
   *
   * @return {@link ConsumeOutcome#PROCESSED}, {@link ConsumeOutcome#DUPLICATE}, {@link
   *     ConsumeOutcome#PARKED} (the failure limit was reached) or {@link ConsumeOutcome#FAILED}
   *     (not settled: let the broker deliver it again)
   * @throws MissingMessageIdException if the message has no id; nothing ran (see {@link #park})
   * @throws StoreUnavailableException if the database failed; nothing committed
   */
  public ConsumeOutcome consume(Message message, TransactionalHandler handler) {
    return consume(message, handler, TransactionStep.NONE);
  }

  /**
   * As {@link #consume(Message, TransactionalHandler)}, with {@code alongside} added to every
   * transaction that settles the message (processed, duplicate, parked): broker runners store the
   * message's offset there.
   */
  public ConsumeOutcome consume(
      Message message, TransactionalHandler handler, TransactionStep alongside) {
    Objects.requireNonNull(handler, "handler must not be null");
    Objects.requireNonNull(alongside, "alongside must not be null");
    String id = messageId(message);
    Throwable failure = null;
    try (Connection connection = transaction()) {
      try {
        if (!recordConsumed(connection, id)) {
          alongside.run(connection);
          connection.commit();
          notify(() -> listener.onDuplicate(name, id));
          return ConsumeOutcome.DUPLICATE;
        }
        try {
          handler.handle(connection, message);
        } catch (Exception | LinkageError e) {
          failure = e;
        }
        if (failure == null) {
          alongside.run(connection);
          connection.commit();
        } else {
          connection.rollback();
        }
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      }
    } catch (SQLException e) {
      throw DeadLetters.unavailable("consume " + id + " for " + name, e);
    }
    if (failure != null) {
      // On a connection of its own: the handler's transaction is over, and a pool may be small.
      try {
        return afterFailure(message, id, failure, alongside);
      } catch (SQLException e) {
        e.addSuppressed(failure);
        throw DeadLetters.unavailable("count a failure of " + id + " for " + name, e);
      }
    }
    notify(() -> listener.onProcessed(name, id));
    return ConsumeOutcome.PROCESSED;
  }

  /**
   * Settles {@code messages} in ONE transaction with {@code alongside}: each one's dedup record,
   * and its handler's writes unless it is a duplicate (also of an earlier message in the list). One
   * statement per message besides the handlers', plus {@code alongside} once: for broker runners
   * that store one offset per batch.
   *
   * @return the outcomes, in order ({@link ConsumeOutcome#PROCESSED} or {@link
   *     ConsumeOutcome#DUPLICATE}); empty if a message has no id or a handler threw, in which case
   *     everything was rolled back and nothing counted: settle them one by one with {@link
   *     #consume(Message, TransactionalHandler, TransactionStep)}
   * @throws StoreUnavailableException if the database failed; nothing committed
   */
  public Optional<List<ConsumeOutcome>> consumeAll(
      List<Message> messages, TransactionalHandler handler, TransactionStep alongside) {
    Objects.requireNonNull(messages, "messages must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    Objects.requireNonNull(alongside, "alongside must not be null");
    List<String> ids = new ArrayList<>(messages.size());
    for (Message message : messages) {
      Optional<String> id =
          extractor
              .extract(message)
              .filter(value -> !value.isBlank())
              .filter(value -> value.length() <= 1024);
      if (id.isEmpty()) {
        return Optional.empty();
      }
      ids.add(id.get());
    }
    List<ConsumeOutcome> outcomes = new ArrayList<>(messages.size());
    try (Connection connection = transaction()) {
      try {
        for (int i = 0; i < messages.size(); i++) {
          if (!recordConsumed(connection, ids.get(i))) {
            outcomes.add(ConsumeOutcome.DUPLICATE);
            continue;
          }
          try {
            handler.handle(connection, messages.get(i));
          } catch (Exception | LinkageError e) {
            connection.rollback();
            return Optional.empty();
          }
          outcomes.add(ConsumeOutcome.PROCESSED);
        }
        alongside.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      }
    } catch (SQLException e) {
      throw DeadLetters.unavailable("consume a batch for " + name, e);
    }
    for (int i = 0; i < outcomes.size(); i++) {
      String id = ids.get(i);
      if (outcomes.get(i) == ConsumeOutcome.PROCESSED) {
        notify(() -> listener.onProcessed(name, id));
      } else {
        notify(() -> listener.onDuplicate(name, id));
      }
    }
    return Optional.of(outcomes);
  }

  /** In a fresh transaction: count the failure, and park the message at the limit. */
  private ConsumeOutcome afterFailure(
      Message message, String id, Throwable failure, TransactionStep alongside)
      throws SQLException {
    if (failure instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    try (Connection connection = transaction()) {
      try {
        int failures = deadLetters.recordFailure(connection, name, id, message, failure);
        if (failures < maxFailures) {
          connection.commit();
          notify(() -> listener.onFailed(name, id, failure, failures));
          return ConsumeOutcome.FAILED;
        }
        if (!recordConsumed(connection, id)) {
          // Another delivery processed it meanwhile: nothing to park.
          connection.rollback();
          notify(() -> listener.onDuplicate(name, id));
          return ConsumeOutcome.DUPLICATE;
        }
        deadLetters.parkCounted(connection, name, id);
        alongside.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        e.addSuppressed(failure);
        throw e;
      }
    }
    String reason = failure.toString();
    notify(() -> listener.onParked(name, id, reason));
    return ConsumeOutcome.PARKED;
  }

  /**
   * Parks {@code message} at once with {@code reason}, with {@code alongside}, in one transaction:
   * for messages that cannot be processed at all, such as one without an id. A message with an id
   * also gets its dedup record, so redeliveries are acknowledged as duplicates.
   *
   * @throws StoreUnavailableException if the database failed; nothing committed
   */
  public void park(Message message, String reason, TransactionStep alongside) {
    Objects.requireNonNull(message, "message must not be null");
    Objects.requireNonNull(reason, "reason must not be null");
    Objects.requireNonNull(alongside, "alongside must not be null");
    String id =
        extractor
            .extract(message)
            .filter(value -> !value.isBlank())
            .filter(value -> value.length() <= 1024)
            .orElse(null);
    try (Connection connection = transaction()) {
      try {
        if (id != null) {
          recordConsumed(connection, id);
        }
        deadLetters.park(connection, name, id, message, reason);
        alongside.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      }
    } catch (SQLException e) {
      throw DeadLetters.unavailable("park a message for " + name, e);
    }
    notify(() -> listener.onParked(name, id, reason));
  }

  /**
   * Runs {@code handler} on parked letter {@code deadLetterId} of this consumer now, in one
   * transaction that also marks it replayed. If the handler throws, it stays parked (the failure
   * becomes its reason) and the failure is rethrown.
   *
   * @return true if it ran; false if no such letter is parked (replayed or deleted already)
   * @throws StoreUnavailableException if the database failed
   */
  public boolean replay(long deadLetterId, TransactionalHandler handler) {
    Objects.requireNonNull(handler, "handler must not be null");
    try (Connection connection = transaction()) {
      try {
        Optional<DeadLetter> letter = deadLetters.takeForReplay(connection, name, deadLetterId);
        if (letter.isEmpty()) {
          connection.rollback();
          return false;
        }
        try {
          handler.handle(connection, letter.get().message());
        } catch (Exception e) {
          connection.rollback();
          deadLetters.reparkAfterFailedReplay(deadLetterId, e);
          throw e instanceof RuntimeException runtimeException
              ? runtimeException
              : new dev.idempo.WorkFailedException(e);
        }
        if (letter.get().messageId().isPresent()) {
          recordConsumed(connection, letter.get().messageId().get());
        }
        connection.commit();
        return true;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      }
    } catch (SQLException e) {
      throw DeadLetters.unavailable("replay dead letter " + deadLetterId + " for " + name, e);
    }
  }

  /**
   * Deletes up to {@code limit} expired dedup records (of every consumer on these tables) in one
   * statement; returns how many. Call it on a schedule, with a limit your ingest rate needs.
   *
   * @throws IllegalArgumentException if {@code limit} is not 1 to 100,000
   */
  public int purgeExpired(int limit) {
    StoreLimits.checkPurgeLimit(limit);
    String table = tables.consumed();
    String rowId = tables.rowId();
    String sql =
        "DELETE FROM "
            + table
            + " WHERE "
            + rowId
            + " IN (SELECT "
            + rowId
            + " FROM "
            + table
            + " WHERE expires_at <= ? LIMIT "
            + limit
            + tables.skipLocked()
            + ") AND expires_at <= ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(sql)) {
      long now = clock.millis();
      delete.setLong(1, now);
      delete.setLong(2, now);
      return delete.executeUpdate();
    } catch (SQLException e) {
      throw DeadLetters.unavailable("purge expired dedup records", e);
    }
  }

  /**
   * Inserts (or revives an expired) dedup record in the caller's transaction; false if a live
   * record was there: the message is a duplicate.
   */
  private boolean recordConsumed(Connection connection, String id) throws SQLException {
    long now = clock.millis();
    try (PreparedStatement insert = connection.prepareStatement(dedupSql)) {
      insert.setString(1, name);
      insert.setString(2, id);
      insert.setLong(3, now);
      insert.setLong(4, now + retention.toMillis());
      return insert.executeUpdate() == 1;
    }
  }

  /** A connection with auto-commit off, its previous transaction (if pooled) rolled back. */
  private Connection transaction() throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      if (connection.getAutoCommit()) {
        connection.setAutoCommit(false);
      } else {
        connection.rollback();
      }
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  private static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // A listener must never change the outcome.
    }
  }

  /** Configures a {@link TransactionalConsumer}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private final String name;
    private MessageIdExtractor extractor = MessageIdExtractor.brokerMessageId();
    private String tablePrefix = MessagingTables.DEFAULT_PREFIX;
    private Duration retention = DEFAULT_RETENTION;
    private int maxFailures = DEFAULT_MAX_FAILURES;
    private InstantSource clock = InstantSource.system();
    private MessagingListener listener = MessagingListener.NONE;

    private Builder(DataSource dataSource, String name) {
      this.dataSource = dataSource;
      this.name = name;
    }

    /** Where the message id comes from; the broker's message id property by default. */
    public Builder messageId(MessageIdExtractor extractor) {
      this.extractor = Objects.requireNonNull(extractor, "extractor must not be null");
      return this;
    }

    /** The prefix of the messaging tables; {@code "idempo_"} by default. */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = MessagingTables.checkPrefix(tablePrefix);
      return this;
    }

    /** How long a dedup record is kept; 1 ms to 400 days, 7 days by default. */
    public Builder retention(Duration retention) {
      this.retention = StoreLimits.checkRetention(retention);
      return this;
    }

    /** After how many failed deliveries a message is parked; 1 to 1000, 5 by default. */
    public Builder maxFailures(int maxFailures) {
      if (maxFailures < 1 || maxFailures > 1000) {
        throw new IllegalArgumentException("maxFailures must be 1 to 1000, was " + maxFailures);
      }
      this.maxFailures = maxFailures;
      return this;
    }

    /** The clock of dedup records and dead letters; the system clock by default. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    public Builder listener(MessagingListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /**
     * Builds the consumer, creating its tables if missing.
     *
     * @throws IllegalArgumentException if the database is neither PostgreSQL nor SQLite
     * @throws StoreUnavailableException if the database cannot be reached
     */
    public TransactionalConsumer build() {
      try {
        MessagingTables tables =
            new MessagingTables(MessagingTables.detect(dataSource), tablePrefix);
        tables.create(dataSource);
        return new TransactionalConsumer(this, tables);
      } catch (SQLException e) {
        throw DeadLetters.unavailable("create the messaging tables", e);
      }
    }
  }
}
