/**
 * Idempo core: keys, scopes, fingerprints, the record model and store SPI, the in-memory store and
 * the {@link dev.idempo.Idempotency} executor. No runtime dependencies; only the API packages are
 * exported.
 */
// The qualified export names dev.idempo.jdbc, which depends on core: never on core's module path.
@SuppressWarnings("module")
module dev.idempo.core {
  exports dev.idempo;
  exports dev.idempo.store;
  // The stored outcome format, for the transactional mode that writes the same records.
  exports dev.idempo.internal to
      dev.idempo.jdbc;
}
