/**
 * The store contract suite: {@link dev.idempo.store.tck.IdempotencyStoreContract}, which every
 * {@link dev.idempo.store.IdempotencyStore} runs against a real server, and what it needs ({@link
 * dev.idempo.store.tck.MutableClock}, {@link dev.idempo.store.tck.OutageStore}, {@link
 * dev.idempo.store.tck.StoreHarness}). Open, because JUnit reaches the contract's test methods and
 * fields by reflection.
 */
// Error Prone's NotJavadoc misses a doc comment before an open module; javadoc reads it.
@SuppressWarnings("NotJavadoc")
open module dev.idempo.store.tck {
  requires transitive dev.idempo.core;
  requires transitive org.junit.jupiter.api;

  exports dev.idempo.store.tck;
}
