package dev.idempo.jdbc;

/**
 * Every statement on the records table, written once for both dialects: the dialect supplies the
 * clock ({@link Dialect#now()}), the fence source and a few type and function names. All times are
 * epoch milliseconds in BIGINT columns. Immutable and thread-safe.
 *
 * <p>Each write is one statement. A claim is one {@code INSERT … ON CONFLICT DO UPDATE … WHERE}
 * whose {@code WHERE} admits exactly the rows a claim may take (expired, or IN_PROGRESS with the
 * same fingerprint and its lease over), so the database's row lock decides the race; fenced updates
 * and deletes name the key, the fence, the state and liveness in their {@code WHERE}.
 */
final class RecordSql {
  /**
   * The format of the rows this version writes and reads; see {@link
   * UnknownFormatVersionException}.
   */
  static final int FORMAT_VERSION = 1;

  /** Claim: insert, or take over an expired or lease-over row; returns the acquired row. */
  final SqlTemplate claim;

  /** After a claim that acquired nothing: what is there, and how long it stays. */
  final SqlTemplate readForClaim;

  final SqlTemplate complete;
  final SqlTemplate release;

  /** Delete the IN_PROGRESS row the claim with {@code :token} made; fenced by the token. */
  final SqlTemplate abandon;

  final SqlTemplate renew;
  final SqlTemplate checkpoint;
  final SqlTemplate find;
  final SqlTemplate purgeExpired;

  /** Transactional mode: insert, or replace an expired row; returns the fence. */
  final SqlTemplate begin;

  /** Transactional mode: store the result in the row this transaction inserted. */
  final SqlTemplate finish;

  /** Transactional mode, joined transaction: remove the row after the work failed. */
  final SqlTemplate abandonTransactional;

  RecordSql(Dialect dialect, TableNames tables) {
    String records = tables.records();
    String now = dialect.now();
    String nextFence = dialect.nextFence(tables);
    String expired = expiry("r.") + " <= " + now;
    String insert = insert(records, now, nextFence, "NULL");
    // A takeover keeps the recovery point and counts itself; replacing an expired row starts over.
    this.claim =
        SqlTemplate.parse(
            insert(records, now, nextFence, ":token")
                + "takeovers = CASE WHEN "
                + expired
                + " THEN 0 ELSE r.takeovers + 1 END,"
                + " recovery_name = CASE WHEN "
                + expired
                + " THEN NULL ELSE r.recovery_name END,"
                + " recovery_state = CASE WHEN "
                + expired
                + " THEN NULL ELSE r.recovery_state END"
                + " WHERE r.format_version = "
                + FORMAT_VERSION
                + " AND ("
                + expired
                + " OR (r.state = 'IN_PROGRESS' AND r.fingerprint = excluded.fingerprint"
                + " AND r.lease_expires_at <= "
                + now
                + "))"
                + " RETURNING fence, takeovers, recovery_name, recovery_state");
    this.readForClaim =
        SqlTemplate.parse(
            "SELECT format_version, state, fingerprint, response, "
                + expiry("")
                + " - "
                + now
                + " AS live_ms, lease_expires_at - "
                + now
                + " AS lease_ms FROM "
                + records
                + " WHERE storage_key = :key");

    String current =
        " WHERE storage_key = :key AND fence = :fence AND state = 'IN_PROGRESS' AND expires_at > "
            + now;
    this.complete =
        SqlTemplate.parse(
            "UPDATE "
                + records
                + " SET state = 'COMPLETED', response = :response, completed_at = "
                + now
                + ", expires_at = "
                + dialect.least("expires_at", now + " + retention_ms")
                + ", recovery_name = NULL, recovery_state = NULL"
                + current);
    this.release = SqlTemplate.parse("DELETE FROM " + records + current);
    this.abandon =
        SqlTemplate.parse(
            "DELETE FROM "
                + records
                + " WHERE storage_key = :key AND claim_token = :token"
                + " AND state = 'IN_PROGRESS' AND expires_at > "
                + now);
    this.renew =
        SqlTemplate.parse(
            "UPDATE "
                + records
                + " SET lease_expires_at = "
                + now
                + " + :lease_ms, expires_at = "
                + dialect.greatest("expires_at", now + " + :lease_ms")
                + current);
    this.checkpoint =
        SqlTemplate.parse(
            "UPDATE " + records + " SET recovery_name = :name, recovery_state = :state" + current);
    this.find =
        SqlTemplate.parse(
            "SELECT format_version, state, fingerprint, fence, lease_expires_at, "
                + expiry("")
                + " AS expires_at, response, recovery_name, recovery_state FROM "
                + records
                + " WHERE storage_key = :key AND "
                + expiry("")
                + " > "
                + now);
    String rowId = dialect.rowId();
    // The expiry index finds candidates (expires_at is never later than the expiry); the expiry
    // decides.
    String purgeable = "expires_at <= " + now + " AND " + expiry("") + " <= " + now;
    this.purgeExpired =
        SqlTemplate.parse(
            "DELETE FROM "
                + records
                + " WHERE "
                + rowId
                + " IN (SELECT "
                + rowId
                + " FROM "
                + records
                + " WHERE "
                + purgeable
                + " LIMIT :limit"
                + dialect.skipLocked()
                + ") AND "
                + purgeable);

    this.begin =
        SqlTemplate.parse(
            insert
                + "takeovers = 0, recovery_name = NULL, recovery_state = NULL"
                + " WHERE r.format_version = "
                + FORMAT_VERSION
                + " AND "
                + expired
                + " RETURNING fence");
    this.finish =
        SqlTemplate.parse(
            "UPDATE "
                + records
                + " SET state = 'COMPLETED', response = :response, completed_at = "
                + now
                + ", expires_at = "
                + dialect.least("expires_at", now + " + retention_ms")
                + " WHERE storage_key = :key AND fence = :fence AND state = 'IN_PROGRESS'");
    this.abandonTransactional =
        SqlTemplate.parse(
            "DELETE FROM "
                + records
                + " WHERE storage_key = :key AND fence = :fence AND state = 'IN_PROGRESS'");
  }

  /**
   * A record's expiry, as SQL over the row's columns ({@code alias} is {@code "r."} or empty): a
   * completed record lives {@code retention_ms} past its completion, an IN_PROGRESS one until
   * {@code expires_at} (the claim's, extended by renewals). Since schema version 3 completing
   * leaves the indexed {@code expires_at} as the claim set it (lowering it only when the lease
   * outlasts the retention, so it never exceeds the expiry and the purge's index scan finds every
   * expired record): a completion then changes no indexed column, and PostgreSQL updates the row in
   * place (a HOT update: no new index entries), SQLite without touching the index.
   */
  static String expiry(String alias) {
    return "CASE WHEN "
        + alias
        + "state = 'COMPLETED' THEN "
        + alias
        + "completed_at + "
        + alias
        + "retention_ms ELSE "
        + alias
        + "expires_at END";
  }

  /**
   * The head of every claiming statement: insert, or on conflict overwrite the row with a new
   * IN_PROGRESS claim whose token is {@code token} (a parameter, or NULL in transactional mode,
   * which never abandons); the caller appends the rest of the {@code SET} and the {@code WHERE}.
   */
  private static String insert(String records, String now, String nextFence, String token) {
    return "INSERT INTO "
        + records
        + " AS r (storage_key, format_version, state, fingerprint,"
        + " fence, claim_token, takeovers, claimed_at, lease_expires_at, expires_at, retention_ms)"
        + " VALUES (:key, "
        + FORMAT_VERSION
        + ", 'IN_PROGRESS', :fingerprint, "
        + nextFence
        + ", "
        + token
        + ", 0, "
        + now
        + ", "
        + now
        + " + :lease_ms, "
        + now
        + " + :live_ms,"
        + " :retention_ms) ON CONFLICT (storage_key) DO UPDATE SET state = 'IN_PROGRESS',"
        + " fingerprint = excluded.fingerprint, fence = "
        + nextFence
        + ", claim_token = "
        + "excluded.claim_token, claimed_at = "
        + now
        + ", lease_expires_at = "
        + now
        + " + :lease_ms, expires_at = "
        + now
        + " + :live_ms,"
        + " retention_ms = excluded.retention_ms, completed_at = NULL, response = NULL, ";
  }
}
