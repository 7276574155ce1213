package dev.idempo.jdbc;

import dev.idempo.Fingerprint;
import dev.idempo.store.ClaimResult;
import dev.idempo.store.RecordState;
import dev.idempo.store.StoredResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/**
 * What a claim that acquired nothing finds in the row: read by {@link RecordSql#readForClaim} right
 * after the {@code INSERT … ON CONFLICT} declined to take it.
 *
 * @param liveMillis how long the record stays live; zero or less once expired
 * @param leaseMillis how long the lease still runs; zero or less once over
 */
@SuppressWarnings("ArrayRecordComponent") // read once and taken apart: never compared or hashed
record StoredRow(
    RecordState state,
    Fingerprint fingerprint,
    byte[] response,
    long liveMillis,
    long leaseMillis) {

  /** Reads the row of {@code key}, if there is one; refuses rows in an unknown format. */
  static Optional<StoredRow> read(
      Connection connection, RecordSql sql, InstantSource clock, byte[] key, String table)
      throws SQLException {
    try (PreparedStatement select =
            sql.readForClaim.prepare(connection, clock, Map.of("key", key));
        ResultSet row = select.executeQuery()) {
      if (!row.next()) {
        return Optional.empty();
      }
      checkFormat(row.getInt("format_version"), table);
      return Optional.of(
          new StoredRow(
              RecordState.valueOf(row.getString("state")),
              Fingerprint.fromBytes(row.getBytes("fingerprint")),
              row.getBytes("response"),
              row.getLong("live_ms"),
              row.getLong("lease_ms")));
    }
  }

  /**
   * The answer of a claim that found this row, or empty if the row may be claimed after all (it
   * expired, or its lease ran out, between the insert and this read): the caller claims again.
   */
  Optional<ClaimResult> claimAnswer(Fingerprint claimed) {
    if (liveMillis <= 0) {
      return Optional.empty();
    }
    if (!fingerprint.equals(claimed)) {
      return Optional.of(new ClaimResult.Mismatch());
    }
    if (state == RecordState.COMPLETED) {
      return Optional.of(new ClaimResult.Replay(StoredResponse.of(response)));
    }
    if (leaseMillis <= 0) {
      return Optional.empty();
    }
    return Optional.of(new ClaimResult.InFlight(Duration.ofMillis(leaseMillis)));
  }

  /** Refuses a row written in a format this version does not read. */
  static void checkFormat(int formatVersion, String table) {
    if (formatVersion != RecordSql.FORMAT_VERSION) {
      throw new UnknownFormatVersionException(
          "a record in table "
              + table
              + " has format version "
              + formatVersion
              + "; this version of idempo-jdbc reads format version "
              + RecordSql.FORMAT_VERSION
              + ": it was written by a newer idempo-jdbc, upgrade this one",
          formatVersion);
    }
  }
}
