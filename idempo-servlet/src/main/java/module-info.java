/** Idempo for any Jakarta Servlet 6 container: {@link dev.idempo.servlet.IdempotencyFilter}. */
module dev.idempo.servlet {
  requires transitive dev.idempo.http;
  requires transitive jakarta.servlet;

  exports dev.idempo.servlet;
}
