package dev.idempo.store;

import dev.idempo.Fingerprint;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of one live record, as {@link IdempotencyStore#find} reads it; for inspection,
 * administration and tests, never for decisions (those are {@link IdempotencyStore#claim}'s).
 *
 * @param state IN_PROGRESS or COMPLETED
 * @param fingerprint the fingerprint of the request that created the record
 * @param fence the current fence
 * @param leaseExpiresAt when the current lease runs out (meaningful while IN_PROGRESS)
 * @param expiresAt when the record stops being live (retention)
 * @param response the stored response, present once COMPLETED
 * @param recoveryPoint the last recovery point saved while IN_PROGRESS
 */
public record IdempotencyRecord(
    RecordState state,
    Fingerprint fingerprint,
    long fence,
    Instant leaseExpiresAt,
    Instant expiresAt,
    Optional<StoredResponse> response,
    Optional<RecoveryPoint> recoveryPoint) {}
