/**
 * The contract every {@link dev.idempo.store.IdempotencyStore} passes, unchanged: extend {@link
 * dev.idempo.store.tck.IdempotencyStoreContract} with a {@link dev.idempo.store.tck.StoreHarness}
 * for the store under test. {@link dev.idempo.store.tck.OutageStore} wraps a store to take it down
 * or lose its replies on demand.
 */
package dev.idempo.store.tck;
