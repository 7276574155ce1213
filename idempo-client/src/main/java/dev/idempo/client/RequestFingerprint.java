package dev.idempo.client;

import dev.idempo.Fingerprint;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fingerprint the client records in a {@link KeyJournal} when the caller passes none: method,
 * URI, Content-Type and the SHA-256 of the body bytes, read by subscribing to the request's body
 * publisher once more. That is sound because a retried request must have a repeatable body anyway
 * ({@code ofString}, {@code ofByteArray}, {@code ofFile}, {@code ofInputStream} with a supplier
 * that opens a fresh stream); the body is streamed through the digest, never held.
 */
final class RequestFingerprint {
  private static final long BODY_READ_TIMEOUT_SECONDS = 30;

  private RequestFingerprint() {}

  /**
   * @throws IllegalArgumentException if the body cannot be read within 30 seconds or fails
   */
  static Fingerprint of(HttpRequest request) {
    byte[] bodyHash = request.bodyPublisher().map(RequestFingerprint::digest).orElse(new byte[0]);
    return Fingerprint.builder()
        .add("method", request.method())
        .add("uri", request.uri().toString())
        .add("content-type", request.headers().firstValue("Content-Type").orElse(""))
        .add("body-sha256", bodyHash)
        .build();
  }

  private static byte[] digest(HttpRequest.BodyPublisher publisher) {
    DigestingSubscriber subscriber = new DigestingSubscriber();
    publisher.subscribe(subscriber);
    try {
      return subscriber.result.get(BODY_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while reading the request body to fingerprint it", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalArgumentException(
          "the request body could not be read to fingerprint it for the key journal ("
              + (e instanceof TimeoutException
                  ? "no end after " + BODY_READ_TIMEOUT_SECONDS + " s"
                  : e.getCause())
              + "); pass one with CallOptions.withFingerprint(...)",
          e);
    }
  }

  private static final class DigestingSubscriber implements Flow.Subscriber<ByteBuffer> {
    final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final MessageDigest sha256;

    DigestingSubscriber() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer item) {
      sha256.update(item);
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(sha256.digest());
    }
  }
}
