/**
 * Idempo's retrying HTTP client: {@link dev.idempo.client.IdempotentHttpClient}, its {@link
 * dev.idempo.client.RetryPolicy} and {@link dev.idempo.client.RetryBudget}, and the key journals
 * that keep one key per operation across restarts.
 */
module dev.idempo.client {
  requires transitive dev.idempo.core;
  requires transitive java.net.http;
  requires transitive java.sql;

  exports dev.idempo.client;
}
