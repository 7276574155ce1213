/**
 * The HTTP contract every server adapter passes, unchanged, over real HTTP: extend {@link
 * dev.idempo.http.tck.HttpContract} with an {@link dev.idempo.http.tck.HttpAdapterHarness} that
 * starts the adapter in front of the {@link dev.idempo.http.tck.ContractApplication}. Rows an
 * adapter cannot support are declared as missing capabilities and reported as skipped, by name.
 */
package dev.idempo.http.tck;
