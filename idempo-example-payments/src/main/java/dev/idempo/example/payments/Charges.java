package dev.idempo.example.payments;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The ledger: one row per charge made. */
@Repository
public class Charges {
  private final JdbcTemplate jdbc;

  public Charges(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public record Charge(String id, String customer, long amountCents, String currency) {}

  public Charge create(String customer, long amountCents, String currency) {
    Charge charge = new Charge(UUID.randomUUID().toString(), customer, amountCents, currency);
    jdbc.update(
        "INSERT INTO charges (id, customer, amount_cents, currency) VALUES (?, ?, ?, ?)",
        charge.id(),
        charge.customer(),
        charge.amountCents(),
        charge.currency());
    return charge;
  }

  public Optional<Charge> find(String id) {
    List<Charge> found =
        jdbc.query(
            "SELECT id, customer, amount_cents, currency FROM charges WHERE id = ?",
            (row, n) ->
                new Charge(row.getString(1), row.getString(2), row.getLong(3), row.getString(4)),
            id);
    return found.stream().findFirst();
  }

  public int countFor(String customer) {
    return jdbc.queryForObject(
        "SELECT COUNT(*) FROM charges WHERE customer = ?", Integer.class, customer);
  }
}
