package dev.idempo.jdbc;

import dev.idempo.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Group commit: concurrent writes share one transaction and one commit instead of queueing one by
 * one for the database's writer (SQLite has exactly one; every commit there is a WAL append and,
 * with {@code synchronous=FULL}, an fsync).
 *
 * <p><b>How.</b> Leader and followers, no thread of its own. A caller queues its operation, then
 * tries to become the leader; the leader takes up to {@code maxBatch} queued operations (whatever
 * arrived while the previous batch ran: no timer, no sleep when idle), runs each one's statements
 * inside a savepoint of one transaction, commits once, and only then answers every caller with its
 * own result. Followers wait; when a leader is done it hands leadership to the oldest operation
 * still queued. A batch of one runs in auto-commit mode, exactly like a write without group commit.
 *
 * <p><b>Failures.</b> An operation whose statement fails is rolled back to its savepoint and gets
 * its own exception; the others carry on. When the batch cannot run at all (no connection, no
 * transaction, a failed rollback to a savepoint), every operation in it fails with {@link
 * StoreUnavailableException} and nothing of the batch was written. When the commit itself fails,
 * every operation that had succeeded fails with {@link StoreUnavailableException} whose outcome is
 * unknown: a PostgreSQL server may have committed before the connection dropped, and a SQLite
 * commit that fails in its I/O may already have appended its WAL frames. Nothing is answered before
 * its commit returned.
 *
 * <p>Thread-safe. {@link #close()} refuses new operations and runs the queued ones.
 */
final class GroupCommit implements AutoCloseable {
  /** The default upper bound on the operations one transaction carries. */
  static final int DEFAULT_MAX_BATCH = 64;

  /** One database write; runs inside a savepoint, or alone in auto-commit mode. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final String database;
  private final int maxBatch;
  private final Runnable beforeBatch;
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock leadership = new ReentrantLock();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong sharedBatches = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param database the dialect's name, for messages
   * @param beforeBatch runs in the leader before it takes a batch from the queue (tests hold it
   *     there to queue a known set of operations); a no-op in production
   */
  GroupCommit(DataSource dataSource, String database, int maxBatch, Runnable beforeBatch) {
    this.dataSource = dataSource;
    this.database = database;
    this.maxBatch = maxBatch;
    this.beforeBatch = beforeBatch;
  }

  /**
   * Runs {@code work} in the next batch and returns its result once that batch committed.
   *
   * @throws StoreUnavailableException if the store is closed (nothing was written), the database
   *     failed, or the caller was interrupted after its operation had started
   */
  <T> T run(String operation, Work<T> work) {
    if (closed) {
      throw new StoreUnavailableException(
          database + " idempotency store could not " + operation + ": the store is closed", null);
    }
    Pending<T> pending = new Pending<>(operation, work);
    queue.add(pending);
    boolean interrupted = false;
    try {
      while (!pending.isDone()) {
        if (leadership.tryLock()) {
          try {
            while (!pending.isDone()) {
              leadBatch();
            }
          } finally {
            leadership.unlock();
          }
          handOver();
        } else if (!pending.awaitDoneOrLeadership()) {
          interrupted = true;
          if (queue.remove(pending)) {
            handOver(); // leadership may have been offered to this caller
            throw new StoreUnavailableException(
                database
                    + " idempotency store could not "
                    + operation
                    + ": interrupted while waiting for a batch; nothing was written",
                null);
          } // else a leader runs it already: wait for its commit like everyone else
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return pending.result();
  }

  /**
   * After unlocking: the oldest queued operation's caller tries to lead next. An operation queued
   * before the unlock is seen here; one queued after it finds the lock free itself.
   */
  private void handOver() {
    Pending<?> next = queue.peek();
    if (next != null) {
      next.offerLeadership();
    }
  }

  private void leadBatch() {
    beforeBatch.run();
    List<Pending<?>> batch = new ArrayList<>(Math.min(maxBatch, 16));
    for (Pending<?> next; batch.size() < maxBatch && (next = queue.poll()) != null; ) {
      batch.add(next);
    }
    if (batch.isEmpty()) {
      return;
    }
    batches.incrementAndGet();
    try {
      if (batch.size() == 1) {
        runAlone(batch.get(0));
      } else {
        sharedBatches.incrementAndGet();
        runShared(batch);
      }
    } catch (RuntimeException | Error e) {
      // A bug or an Error such as OutOfMemoryError: every caller of the batch hears of it.
      for (Pending<?> pending : batch) {
        pending.failIfOpen(unavailable(pending.operation, "failed inside its batch", e));
      }
    } finally {
      for (Pending<?> pending : batch) {
        pending.answer();
      }
    }
  }

  private void runAlone(Pending<?> pending) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      if (!autoCommit) {
        connection.setAutoCommit(true);
      }
      try {
        pending.runIn(connection);
      } finally {
        if (!autoCommit) {
          connection.setAutoCommit(false);
        }
      }
    } catch (SQLException e) {
      pending.failIfOpen(JdbcIdempotencyStore.unavailable(database, pending.operation, e));
    }
  }

  private void runShared(List<Pending<?>> batch) {
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      failAll(batch, "got no connection; nothing was written", e);
      return;
    }
    try (connection) {
      boolean autoCommit;
      try {
        autoCommit = connection.getAutoCommit();
        if (autoCommit) {
          connection.setAutoCommit(false);
        } else {
          connection.rollback(); // a pooled connection with auto-commit off: start clean
        }
      } catch (SQLException e) {
        failAll(batch, "could not begin its transaction; nothing was written", e);
        return;
      }
      boolean ended = false;
      try (BatchStatements statements = new BatchStatements(connection)) {
        ended = runInTransaction(connection, statements.connection(), batch);
      } catch (SQLException e) {
        // Closing a statement failed after the batch ended: the answers stand.
      }
      // Switching auto-commit back on commits an open transaction: only after a clean end. A
      // transaction left open (its rollback failed) is discarded when the connection closes.
      if (autoCommit && ended) {
        try {
          connection.setAutoCommit(true);
        } catch (SQLException e) {
          // The transaction has ended and the answers stand; a pool resets the mode anyway.
        }
      }
    } catch (SQLException e) {
      // Closing the connection failed after the batch ended: the answers stand.
    }
  }

  /**
   * Runs the batch on {@code connection}; the operations see it as {@code shared}. True if the
   * transaction ended, committed or rolled back; false if it may still be open.
   */
  private boolean runInTransaction(
      Connection connection, Connection shared, List<Pending<?>> batch) {
    for (Pending<?> pending : batch) {
      Savepoint savepoint;
      try {
        savepoint = connection.setSavepoint();
      } catch (SQLException e) {
        failAll(batch, "could not set a savepoint; nothing was written", e);
        return rollBack(connection, e);
      }
      boolean ran = pending.runIn(shared);
      try {
        if (ran) {
          connection.releaseSavepoint(savepoint);
        } else {
          connection.rollback(savepoint);
        }
      } catch (SQLException e) {
        failAll(batch, "could not end a savepoint; nothing was written", e);
        return rollBack(connection, e);
      }
    }
    try {
      connection.commit();
      return true;
    } catch (SQLException e) {
      failAll(batch, "commit failed; whether it committed is unknown", e);
      return rollBack(connection, e);
    }
  }

  /** Rolls the transaction back; false if that failed too (the failure joins {@code cause}). */
  private static boolean rollBack(Connection connection, SQLException cause) {
    try {
      connection.rollback();
      return true;
    } catch (SQLException e) {
      cause.addSuppressed(e);
      return false;
    }
  }

  /** Fails every operation of {@code batch} that has no failure of its own yet. */
  private void failAll(List<Pending<?>> batch, String what, SQLException e) {
    for (Pending<?> pending : batch) {
      pending.failIfSucceeded(unavailable(pending.operation, what, e));
    }
  }

  private StoreUnavailableException unavailable(String operation, String what, Throwable e) {
    String detail =
        e instanceof SQLException sqlException
            ? e.getMessage() + " (SQLState " + sqlException.getSQLState() + ")"
            : String.valueOf(e);
    return new StoreUnavailableException(
        database
            + " idempotency store could not "
            + operation
            + ": its group commit "
            + what
            + ": "
            + detail,
        e);
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed;
  }

  /** Operations waiting for a batch. */
  int queued() {
    return queue.size();
  }

  /** Batches led so far, alone or shared. */
  long batches() {
    return batches.get();
  }

  /** Batches that carried more than one operation. */
  long sharedBatches() {
    return sharedBatches.get();
  }

  /**
   * Refuses new operations, then runs the queued ones before returning (their callers get their
   * answers as usual).
   */
  @Override
  public void close() {
    closed = true;
    leadership.lock();
    try {
      while (!queue.isEmpty()) {
        leadBatch();
      }
    } finally {
      leadership.unlock();
    }
    handOver();
  }

  /** One queued operation and, once its batch ended, its answer. */
  private final class Pending<T> {
    final String operation;
    private final Work<T> work;
    private T value;
    private Throwable failure;
    private boolean succeeded;
    private boolean done;
    private boolean leadershipOffered;

    Pending(String operation, Work<T> work) {
      this.operation = operation;
      this.work = work;
    }

    /** Runs the work; false if it failed (its failure is kept for the caller). */
    boolean runIn(Connection connection) {
      try {
        value = work.run(connection);
        succeeded = true;
        return true;
      } catch (SQLException e) {
        failure = JdbcIdempotencyStore.unavailable(database, operation, e);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      return false;
    }

    void failIfSucceeded(StoreUnavailableException e) {
      if (succeeded) {
        succeeded = false;
        failure = e;
      } else if (failure == null) {
        failure = e;
      }
    }

    void failIfOpen(StoreUnavailableException e) {
      if (!succeeded && failure == null) {
        failure = e;
      }
    }

    synchronized void answer() {
      if (!succeeded && failure == null) {
        failure = unavailable(operation, "ended without an answer", null);
      }
      done = true;
      notifyAll();
    }

    synchronized boolean isDone() {
      return done;
    }

    synchronized void offerLeadership() {
      leadershipOffered = true;
      notifyAll();
    }

    /** Waits until answered or offered leadership; false if interrupted first. */
    synchronized boolean awaitDoneOrLeadership() {
      try {
        while (!done && !leadershipOffered) {
          wait();
        }
        leadershipOffered = false;
        return true;
      } catch (InterruptedException e) {
        return false;
      }
    }

    synchronized T result() {
      if (succeeded) {
        return value;
      }
      if (failure instanceof RuntimeException) {
        throw (RuntimeException) failure;
      }
      throw (Error) failure;
    }
  }
}
