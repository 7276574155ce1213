package dev.idempo.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** An attempt's response with the caller's body in place of the client's internal one. */
final class ResponseWithBody<T> implements HttpResponse<T> {
  private final HttpResponse<?> response;
  private final T body;

  ResponseWithBody(HttpResponse<?> response, T body) {
    this.response = response;
    this.body = body;
  }

  @Override
  public int statusCode() {
    return response.statusCode();
  }

  @Override
  public HttpRequest request() {
    return response.request();
  }

  /** Redirect and authentication predecessors; like the JDK's, their bodies are null. */
  @Override
  public Optional<HttpResponse<T>> previousResponse() {
    return response.previousResponse().map(previous -> new ResponseWithBody<T>(previous, null));
  }

  @Override
  public HttpHeaders headers() {
    return response.headers();
  }

  @Override
  public T body() {
    return body;
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return response.sslSession();
  }

  @Override
  public URI uri() {
    return response.uri();
  }

  @Override
  public HttpClient.Version version() {
    return response.version();
  }

  @Override
  public String toString() {
    return response.toString();
  }
}
