package dev.idempo.spring.testapp;

import dev.idempo.spring.Idempotent;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Transactional-mode handlers writing to the table {@code tx_payments}. */
@RestController
public class TransactionalController {
  /** How many more calls fail after their INSERT: by throwing, or with a 503. */
  public static final AtomicInteger throwAfterInsert = new AtomicInteger();

  public static final AtomicInteger unavailableAfterInsert = new AtomicInteger();

  private final JdbcTemplate jdbc;
  private final Executions executions;

  public TransactionalController(JdbcTemplate jdbc, Executions executions) {
    this.jdbc = jdbc;
    this.executions = executions;
  }

  public record PaymentRequest(String id, long amount) {}

  public record Payment(String id, long amount, int run) {}

  @PostMapping("/tx/payments")
  @Idempotent(transactional = true)
  @Transactional
  public ResponseEntity<Payment> pay(@RequestBody PaymentRequest request) {
    int run = executions.record("tx:" + request.id());
    jdbc.update(
        "INSERT INTO tx_payments (id, amount) VALUES (?, ?)", request.id(), request.amount());
    if (throwAfterInsert.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("card network hung up after the INSERT");
    }
    if (unavailableAfterInsert.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }
    return ResponseEntity.created(URI.create("/tx/payments/" + request.id()))
        .header("Set-Cookie", "tx=" + run)
        .body(new Payment(request.id(), request.amount(), run));
  }

  /** No @Transactional of its own: the advice opens the transaction. */
  @PostMapping("/tx/plain")
  @Idempotent(transactional = true, name = "plain-payments")
  @ResponseStatus(HttpStatus.CREATED)
  public Payment plain(@RequestBody PaymentRequest request) {
    int run = executions.record("tx-plain:" + request.id());
    jdbc.update(
        "INSERT INTO tx_payments (id, amount) VALUES (?, ?)", request.id(), request.amount());
    return new Payment(request.id(), request.amount(), run);
  }
}
