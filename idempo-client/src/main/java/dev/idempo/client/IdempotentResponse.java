package dev.idempo.client;

import dev.idempo.IdempotencyKey;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * The final answer of a logical call made by {@link IdempotentHttpClient}: the last attempt's
 * {@link HttpResponse}, how many attempts it took, the key they all carried, and whether the server
 * replayed a stored answer ({@code Idempotent-Replayed: true}) rather than running the operation
 * now.
 *
 * <p>When the client stopped on a retryable status (503, 429, …) because the {@link RetryPolicy}
 * allowed no more, that status is the answer and {@link #giveUpReason()} says why. Immutable if the
 * body is.
 */
public final class IdempotentResponse<T> {
  /** The header a server sets on a replayed answer. */
  public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

  private final HttpResponse<T> response;
  private final int attempts;
  private final IdempotencyKey key;
  private final RetryPolicy.GiveUpReason giveUpReason;

  IdempotentResponse(
      HttpResponse<T> response,
      int attempts,
      IdempotencyKey key,
      RetryPolicy.GiveUpReason giveUpReason) {
    this.response = response;
    this.attempts = attempts;
    this.key = key;
    this.giveUpReason = giveUpReason;
  }

  /** The last attempt's response; its request carries the {@code Idempotency-Key} header. */
  public HttpResponse<T> response() {
    return response;
  }

  public int statusCode() {
    return response.statusCode();
  }

  public HttpHeaders headers() {
    return response.headers();
  }

  public T body() {
    return response.body();
  }

  /** Attempts made, the first included: 1 when the first answer was final. */
  public int attempts() {
    return attempts;
  }

  /** The key every attempt carried; empty for requests sent without one (GET, PUT, …). */
  public Optional<IdempotencyKey> key() {
    return Optional.ofNullable(key);
  }

  /** Whether the server answered with a stored response: {@code Idempotent-Replayed: true}. */
  public boolean replayed() {
    return response
        .headers()
        .firstValue(IDEMPOTENT_REPLAYED)
        .map(v -> v.trim().equalsIgnoreCase("true"))
        .orElse(false);
  }

  /**
   * Why the client stopped retrying, when the answer is a retryable status it could not retry (e.g.
   * {@code MAX_ATTEMPTS} after three 503s); empty when the answer was final on its own.
   */
  public Optional<RetryPolicy.GiveUpReason> giveUpReason() {
    return Optional.ofNullable(giveUpReason);
  }

  @Override
  public String toString() {
    return "IdempotentResponse[status="
        + response.statusCode()
        + ", attempts="
        + attempts
        + ", key="
        + key
        + ", replayed="
        + replayed()
        + (giveUpReason != null ? ", gaveUp=" + giveUpReason : "")
        + "]";
  }
}
