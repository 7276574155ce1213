/**
 * The HTTP contract suite: {@link dev.idempo.http.tck.HttpContract}, which every server adapter of
 * {@code dev.idempo.http} runs, with its harnesses and the upstream it forwards to. Open, because
 * JUnit reaches the contract's test methods and fields by reflection. The servlet API is needed
 * only by {@link dev.idempo.http.tck.ServletRequestReader}, for servlet adapters that bring it.
 */
open module dev.idempo.http.tck {
  requires transitive dev.idempo.http;
  requires transitive dev.idempo.store.tck;
  requires transitive java.net.http;
  requires transitive org.junit.jupiter.api;
  requires static transitive jakarta.servlet;
  requires jdk.httpserver;
  requires org.junit.jupiter.params;

  exports dev.idempo.http.tck;
}
