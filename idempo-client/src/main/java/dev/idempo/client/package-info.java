/**
 * A retrying HTTP client that makes retries safe: {@link dev.idempo.client.IdempotentHttpClient}
 * sends one {@code Idempotency-Key} per logical call and retries as a {@link RetryPolicy} allows; a
 * {@link dev.idempo.client.KeyJournal} ({@link dev.idempo.client.FileKeyJournal}, {@link
 * dev.idempo.client.JdbcKeyJournal}) keeps the key across a crash and restart.
 */
package dev.idempo.client;
