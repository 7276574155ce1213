package dev.idempo.client;

import dev.idempo.Fingerprint;
import dev.idempo.IdempotencyKey;
import java.time.Instant;

/**
 * What a {@link KeyJournal} keeps for one operation: the key every attempt of it sends, the
 * fingerprint of its request, when it was first recorded and until when the entry is honoured.
 * Times are truncated to milliseconds. Immutable.
 *
 * @param operationId the caller's name for the operation, e.g. {@code "job-42"}
 * @param key the idempotency key recorded for it
 * @param fingerprint the fingerprint of the request first sent for it
 * @param createdAt when the entry was recorded, by the journal's clock
 * @param expiresAt when the journal stops honouring it: {@code createdAt} plus the retention
 */
public record JournalEntry(
    String operationId,
    IdempotencyKey key,
    Fingerprint fingerprint,
    Instant createdAt,
    Instant expiresAt) {
  /**
   * @throws NullPointerException naming the first null component
   */
  public JournalEntry {
    Checks.notNull(operationId, "operationId");
    Checks.notNull(key, "key");
    Checks.notNull(fingerprint, "fingerprint");
    Checks.notNull(createdAt, "createdAt");
    Checks.notNull(expiresAt, "expiresAt");
  }

  /**
   * This entry, if it was recorded for a request with {@code fingerprint}: the check every {@link
   * KeyJournal#reserve} applies to a live entry.
   *
   * @throws JournalMismatchException if it was recorded for another request; the message names the
   *     operation id
   */
  public JournalEntry requireSameRequest(Fingerprint fingerprint) {
    Checks.notNull(fingerprint, "fingerprint");
    if (this.fingerprint.equals(fingerprint)) {
      return this;
    }
    throw new JournalMismatchException(
        operationId,
        "operation '"
            + operationId
            + "' was recorded in the key journal at "
            + createdAt
            + " for a different request (fingerprint "
            + this.fingerprint.toHex().substring(0, 16)
            + "…, this call's is "
            + fingerprint.toHex().substring(0, 16)
            + "…); a restarted operation must resend the same request, or use a new operation id");
  }

  /** Whether the entry is still honoured at {@code now}. */
  public boolean isLiveAt(Instant now) {
    return now.isBefore(expiresAt);
  }
}
