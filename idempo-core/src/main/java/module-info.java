/**
 * Idempo core: keys, scopes, fingerprints, the record model and store SPI, the in-memory store
 * and the {@link dev.idempo.Idempotency} executor.
 * No runtime dependencies; only the API packages are exported.
 */
module dev.idempo.core {
  exports dev.idempo;
  exports dev.idempo.store;
}
