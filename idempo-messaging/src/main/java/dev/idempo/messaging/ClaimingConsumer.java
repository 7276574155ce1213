package dev.idempo.messaging;

import dev.idempo.Attempt;
import dev.idempo.FenceLostException;
import dev.idempo.Fingerprint;
import dev.idempo.FingerprintMismatchException;
import dev.idempo.Idempotency;
import dev.idempo.IdempotencyKey;
import dev.idempo.IdempotencyPolicy;
import dev.idempo.KeyInFlightException;
import dev.idempo.OutcomeUnknownException;
import dev.idempo.ResultCodec;
import dev.idempo.Scope;
import dev.idempo.StoredFailureException;
import dev.idempo.TakeoverPolicy;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StoreLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The claim form of the idempotent consumer, for handlers whose effect is outside the database (an
 * HTTP call, an email): claim (consumer, message id) in an {@link IdempotencyStore} → run the
 * effect while the lease is renewed → complete. A duplicate of a completed message is acknowledged
 * without running.
 *
 * <pre>{@code
 * ClaimingConsumer mailer = ClaimingConsumer.builder(store, deadLetters, "welcome-mail")
 *     .messageId(MessageIdExtractor.header("event-id"))
 *     .unknownOutcomeIf(failure -> failure instanceof HttpTimeoutException)
 *     .build();
 * ConsumeOutcome outcome = mailer.consume(message, m -> sendMail(m));
 * }</pre>
 *
 * <p><b>Outcome unknown.</b> If a consumer dies mid-effect, its claim stays until the lease runs
 * out; redeliveries meanwhile are {@link ConsumeOutcome#FAILED} (in flight elsewhere: deliver again
 * later). Then the {@link TakeoverPolicy} decides: {@link TakeoverPolicy#FAIL_CLOSED} (the default)
 * parks the message with the reason "outcome unknown" — never silently re-run, never dropped — and
 * {@link TakeoverPolicy#REEXECUTE} runs it again (for effects that dedupe downstream). A handler
 * failure matching {@link Builder#unknownOutcomeIf} is parked the same way.
 *
 * <p><b>Failures.</b> Other handler failures release the claim and count; the message is {@link
 * ConsumeOutcome#FAILED} until the {@link Builder#maxFailures}-th failure parks it (the failure is
 * stored in the claim, so redeliveries are then acknowledged as duplicates). The same message id
 * with another payload is parked as a mismatch.
 *
 * <p>Thread-safe. Does not own the store or the dead letters' data source.
 */
public final class ClaimingConsumer {
  private static final String DONE = "processed";

  private final String name;
  private final MessageIdExtractor extractor;
  private final DeadLetters deadLetters;
  private final int maxFailures;
  private final Predicate<? super Throwable> unknownOutcomeIf;
  private final MessagingListener listener;
  private final Idempotency<String> idempotency;
  private final Scope scope;

  private ClaimingConsumer(Builder builder) {
    this.name = builder.name;
    this.extractor = builder.extractor;
    this.deadLetters = builder.deadLetters;
    this.maxFailures = builder.maxFailures;
    this.unknownOutcomeIf = builder.unknownOutcomeIf;
    this.listener = builder.listener;
    IdempotencyPolicy<String> policy =
        IdempotencyPolicy.<String>builder()
            .lease(builder.lease)
            .retention(builder.retention)
            .takeover(builder.takeover)
            .build();
    this.idempotency =
        Idempotency.builder(builder.store, ResultCodec.utf8()).policy(policy).build();
    this.scope = Scope.operation("message consumer " + name);
  }

  /**
   * A builder for consumer {@code name}, claiming in {@code store} and parking in {@code
   * deadLetters}.
   */
  public static Builder builder(IdempotencyStore store, DeadLetters deadLetters, String name) {
    Objects.requireNonNull(store, "store must not be null");
    Objects.requireNonNull(deadLetters, "deadLetters must not be null");
    return new Builder(store, deadLetters, TransactionalConsumer.checkName(name));
  }

  public String name() {
    return name;
  }

  /**
   * Runs {@code handler} on {@code message} unless it was processed before.
   *
   * @return {@link ConsumeOutcome#PROCESSED}, {@link ConsumeOutcome#DUPLICATE}, {@link
   *     ConsumeOutcome#PARKED} or {@link ConsumeOutcome#FAILED} (not settled: deliver it again)
   * @throws MissingMessageIdException if the message has no id; nothing ran
   * @throws dev.idempo.store.StoreUnavailableException if the store or the dead-letter table
   *     failed; the message is not settled
   */
  public ConsumeOutcome consume(Message message, EffectHandler handler) {
    Objects.requireNonNull(message, "message must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    Optional<String> found = extractor.extract(message).filter(value -> !value.isBlank());
    if (found.isEmpty() || found.get().length() > 1024) {
      throw new MissingMessageIdException(name, extractor.describe(), message);
    }
    String id = found.get();
    IdempotencyKey key = IdempotencyKey.derive(name, id);
    Fingerprint fingerprint = Fingerprint.builder().add("payload", message.payload()).build();
    Attempt<String> attempt;
    try {
      attempt = idempotency.begin(scope, key, fingerprint);
    } catch (KeyInFlightException e) {
      notify(() -> listener.onFailed(name, id, e, 0));
      return ConsumeOutcome.FAILED;
    } catch (OutcomeUnknownException e) {
      return park(
          message,
          id,
          "outcome unknown: an earlier delivery stopped mid-effect and its lease ran out; not run"
              + " again");
    } catch (StoredFailureException e) {
      notify(() -> listener.onDuplicate(name, id));
      return ConsumeOutcome.DUPLICATE; // parked after its last failure
    } catch (FingerprintMismatchException e) {
      return park(message, id, "message id " + id + " was used before with another payload");
    }
    try (attempt) {
      if (attempt.isReplay()) {
        notify(() -> listener.onDuplicate(name, id));
        return ConsumeOutcome.DUPLICATE;
      }
      try {
        handler.handle(message);
      } catch (Exception | LinkageError failure) {
        return afterFailure(attempt, message, id, failure);
      }
      try {
        attempt.complete(DONE);
      } catch (FenceLostException e) {
        // The lease ran out mid-effect and another delivery took the claim over (and, failing
        // closed, parked the message as outcome unknown): settled elsewhere.
        return ConsumeOutcome.PARKED;
      }
    }
    notify(() -> listener.onProcessed(name, id));
    return ConsumeOutcome.PROCESSED;
  }

  private ConsumeOutcome afterFailure(
      Attempt<String> attempt, Message message, String id, Throwable failure) {
    if (failure instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (unknownOutcomeIf.test(failure)) {
      attempt.recordOutcomeUnknown();
      return park(message, id, "outcome unknown: " + DeadLetters.describe(failure));
    }
    int failures =
        deadLetters.inTransaction(
            "count a failure of " + id,
            connection -> deadLetters.recordFailure(connection, name, id, message, failure));
    if (failures < maxFailures) {
      attempt.release();
      notify(() -> listener.onFailed(name, id, failure, failures));
      return ConsumeOutcome.FAILED;
    }
    attempt.fail(failure);
    deadLetters.inTransaction(
        "park " + id,
        connection -> {
          deadLetters.parkCounted(connection, name, id);
          return null;
        });
    notify(() -> listener.onParked(name, id, failure.toString()));
    return ConsumeOutcome.PARKED;
  }

  private ConsumeOutcome park(Message message, String id, String reason) {
    deadLetters.inTransaction(
        "park " + id,
        connection -> {
          deadLetters.park(connection, name, id, message, reason);
          return null;
        });
    notify(() -> listener.onParked(name, id, reason));
    return ConsumeOutcome.PARKED;
  }

  /**
   * Runs {@code handler} on parked letter {@code deadLetterId} of this consumer now and marks it
   * replayed. If the handler throws, the letter is parked again with the failure as its reason, and
   * the failure is rethrown.
   *
   * @return true if it ran; false if no such letter is parked
   */
  public boolean replay(long deadLetterId, EffectHandler handler) {
    Objects.requireNonNull(handler, "handler must not be null");
    Optional<DeadLetter> letter =
        deadLetters.inTransaction(
            "take dead letter " + deadLetterId,
            connection -> deadLetters.takeForReplay(connection, name, deadLetterId));
    if (letter.isEmpty()) {
      return false;
    }
    try {
      handler.handle(letter.get().message());
    } catch (Exception e) {
      deadLetters.inTransaction(
          "park dead letter " + deadLetterId + " again",
          connection -> {
            try (var repark =
                connection.prepareStatement(
                    "UPDATE " + deadLettersTable() + " SET state = 'PARKED' WHERE id = ?")) {
              repark.setLong(1, deadLetterId);
              repark.executeUpdate();
            }
            return null;
          });
      deadLetters.reparkAfterFailedReplay(deadLetterId, e);
      throw e instanceof RuntimeException runtimeException
          ? runtimeException
          : new dev.idempo.WorkFailedException(e);
    }
    return true;
  }

  private String deadLettersTable() {
    return deadLetters.tableName();
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // A listener must never change the outcome.
    }
  }

  /** Configures a {@link ClaimingConsumer}. Not thread-safe. */
  public static final class Builder {
    private final IdempotencyStore store;
    private final DeadLetters deadLetters;
    private final String name;
    private MessageIdExtractor extractor = MessageIdExtractor.brokerMessageId();
    private Duration lease = IdempotencyPolicy.DEFAULT_LEASE;
    private Duration retention = TransactionalConsumer.DEFAULT_RETENTION;
    private TakeoverPolicy takeover = TakeoverPolicy.FAIL_CLOSED;
    private int maxFailures = TransactionalConsumer.DEFAULT_MAX_FAILURES;
    private Predicate<? super Throwable> unknownOutcomeIf = failure -> false;
    private MessagingListener listener = MessagingListener.NONE;

    private Builder(IdempotencyStore store, DeadLetters deadLetters, String name) {
      this.store = store;
      this.deadLetters = deadLetters;
      this.name = name;
    }

    /** Where the message id comes from; the broker's message id property by default. */
    public Builder messageId(MessageIdExtractor extractor) {
      this.extractor = Objects.requireNonNull(extractor, "extractor must not be null");
      return this;
    }

    /** How long a claim is protected before another delivery may take it over; 30 s default. */
    public Builder lease(Duration lease) {
      StoreLimits.checkLease(lease);
      this.lease = lease;
      return this;
    }

    /** How long a processed message is remembered; 7 days by default. */
    public Builder retention(Duration retention) {
      this.retention = StoreLimits.checkRetention(retention);
      return this;
    }

    /**
     * What a delivery does on finding an earlier delivery's claim whose lease ran out: {@link
     * TakeoverPolicy#FAIL_CLOSED} (park with "outcome unknown", the default) or {@link
     * TakeoverPolicy#REEXECUTE} (run again).
     *
     * @throws IllegalArgumentException for {@link TakeoverPolicy#RESUME}, which needs recovery
     *     points a message handler does not write
     */
    public Builder takeover(TakeoverPolicy takeover) {
      Objects.requireNonNull(takeover, "takeover must not be null");
      if (takeover == TakeoverPolicy.RESUME) {
        throw new IllegalArgumentException("takeover must be FAIL_CLOSED or REEXECUTE, was RESUME");
      }
      this.takeover = takeover;
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

    /**
     * Handler failures after which the effect may have happened (a timeout after the request was
     * sent): recorded as "outcome unknown" and parked at once, never run again. None by default: a
     * failure means the effect did not happen.
     */
    public Builder unknownOutcomeIf(Predicate<? super Throwable> predicate) {
      this.unknownOutcomeIf = Objects.requireNonNull(predicate, "predicate must not be null");
      return this;
    }

    public Builder listener(MessagingListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    public ClaimingConsumer build() {
      return new ClaimingConsumer(this);
    }
  }
}
