package dev.idempo.example.payments;

import dev.idempo.example.payments.Charges.Charge;
import dev.idempo.spring.Idempotent;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
public class PaymentsController {
  private final Charges charges;

  public PaymentsController(Charges charges) {
    this.charges = charges;
  }

  public record ChargeRequest(String customer, long amountCents, String currency) {}

  /**
   * Charges the customer once per {@code Idempotency-Key}. The key's record, the charge and the
   * stored response commit in one transaction: a retry replays the first answer (with {@code
   * Idempotent-Replayed: true}), and a crash before the commit leaves nothing, so the retry runs.
   */
  @PostMapping("/payments")
  @Idempotent(transactional = true)
  @Transactional
  public ResponseEntity<Charge> charge(@RequestBody ChargeRequest request) {
    if (request.amountCents() <= 0 || request.customer() == null || request.currency() == null) {
      throw new ResponseStatusException(
          HttpStatus.BAD_REQUEST, "customer, currency and a positive amountCents are required");
    }
    Charge charge = charges.create(request.customer(), request.amountCents(), request.currency());
    return ResponseEntity.created(URI.create("/payments/" + charge.id())).body(charge);
  }

  @GetMapping("/payments/{id}")
  public Charge find(@PathVariable("id") String id) {
    return charges.find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
  }
}
