package dev.idempo.client;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.util.Optional;

/**
 * A durable record of which idempotency key belongs to which operation, written <em>before</em> the
 * first attempt, so that a process that crashes and restarts (a job runner, a paid LLM call)
 * resends the operation under the same key and the server runs it at most once.
 *
 * <p>Usage: give the client a journal ({@link IdempotentHttpClient.Builder#journal}) and each call
 * an operation id ({@link CallOptions#operationId(String)}); the client calls {@link #reserve} and
 * sends the key it returns.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #reserve} is atomic, first writer wins, across threads and across processes sharing
 *       the journal: two concurrent reservations of one operation id return the same key.
 *   <li>An entry is durable (on disk, committed) when {@link #reserve} returns it.
 *   <li>An entry is honoured for the journal's retention, measured by its injected clock; an
 *       expired entry is treated as absent and replaced by the next reservation. Choose a retention
 *       no longer than the server keeps keys (24 h at Stripe), since a key the server has forgotten
 *       protects nothing.
 *   <li>Failures to read or write are reported as {@link JournalUnavailableException}, never
 *       swallowed: the client then sends nothing.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface KeyJournal {
  /**
   * Returns the live entry for {@code operationId}, recording one with {@code candidateKey} and
   * {@code fingerprint} if there is none (or only an expired one). Atomic and durable.
   *
   * @param operationId 1 to 512 characters, no control characters
   * @param candidateKey the key to record if the operation is new
   * @param fingerprint what the request looks like; a later reservation must match it
   * @return the entry now recorded: its key is {@code candidateKey} if the operation was new, the
   *     recorded key otherwise
   * @throws JournalMismatchException if a live entry holds another fingerprint; its message names
   *     the operation id
   * @throws JournalUnavailableException if the journal cannot be read or written
   * @throws IllegalArgumentException if {@code operationId} is empty, too long or holds control
   *     characters
   * @throws NullPointerException if an argument is null
   */
  JournalEntry reserve(String operationId, IdempotencyKey candidateKey, Fingerprint fingerprint);

  /**
   * The live entry for {@code operationId}, if any.
   *
   * @throws JournalUnavailableException if the journal cannot be read
   */
  Optional<JournalEntry> find(String operationId);

  /**
   * Forgets an operation, e.g. once the caller has durably recorded its outcome; a later call with
   * the same operation id gets a new key. Durable when it returns.
   *
   * @return whether an entry (live or expired) was removed
   * @throws JournalUnavailableException if the journal cannot be written
   */
  boolean remove(String operationId);

  /**
   * Deletes every expired entry (and any leftovers of interrupted writes). Expired entries are
   * already ignored; this only reclaims space.
   *
   * @return the number of entries deleted
   * @throws JournalUnavailableException if the journal cannot be written
   */
  int purgeExpired();
}
