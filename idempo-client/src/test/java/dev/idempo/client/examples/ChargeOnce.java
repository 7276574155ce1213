package dev.idempo.client.examples;

import dev.idempo.client.IdempotentHttpClient;
import dev.idempo.client.IdempotentResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;

/**
 * Charge once, safely, in three lines: the client attaches one {@code Idempotency-Key} to the POST
 * and resends it unchanged on every retry, so a server that deduplicates by key charges at most
 * once even if a response is lost. Run: {@code ChargeOnce http://localhost:8080/charges}.
 */
public final class ChargeOnce {
  private ChargeOnce() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    IdempotentResponse<String> charge =
        charge(URI.create(args[0]), "{\"amount\":2000,\"currency\":\"eur\"}");
    System.out.println(
        charge.statusCode()
            + " after "
            + charge.attempts()
            + " attempt(s) with Idempotency-Key "
            + charge.key().orElseThrow()
            + (charge.replayed() ? " (replayed)" : "")
            + ": "
            + charge.body());
  }

  public static IdempotentResponse<String> charge(URI uri, String json)
      throws IOException, InterruptedException {
    IdempotentHttpClient client = IdempotentHttpClient.create();
    IdempotentResponse<String> charge =
        client.send(
            HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString(json)).build(),
            BodyHandlers.ofString());
    return charge;
  }
}
