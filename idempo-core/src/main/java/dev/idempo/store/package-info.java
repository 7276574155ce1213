/**
 * The store SPI and its in-memory store: {@link dev.idempo.store.IdempotencyStore} claims a {@link
 * dev.idempo.store.StorageKey} in one atomic step and completes, renews, releases or abandons it
 * only under the current fence or claim token. Every store passes the contract suite in {@code
 * idempo-store-tck}; the record state machine is in {@code docs/design.md}, section "The record and
 * its state machine".
 */
package dev.idempo.store;
