package dev.idempo.cli.demo.messaging;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The payments service's own table of charges, one row per charge it made: the demo counts from
 * here. Stateless; the table lives in the payments database.
 */
final class PaymentsLedger {
  private PaymentsLedger() {}

  /** What the ledger says about {@code orders} orders numbered 0 to orders - 1. */
  record Counts(long chargesRecorded, long duplicateCharges, long missingCharges) {}

  static void create(DataSource payments) throws SQLException {
    try (Connection connection = payments.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS charges (id INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " order_id INTEGER NOT NULL, event_id VARCHAR(64) NOT NULL,"
              + " amount_cents INTEGER NOT NULL)");
    }
  }

  /** Charges {@code order} on {@code connection}, in whatever transaction it is in. */
  static void charge(Connection connection, int order, String eventId, long amountCents)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO charges (order_id, event_id, amount_cents) VALUES (?, ?, ?)")) {
      insert.setInt(1, order);
      insert.setString(2, eventId);
      insert.setLong(3, amountCents);
      insert.executeUpdate();
    }
  }

  static Counts count(DataSource payments, int orders) throws SQLException {
    Map<Integer, Long> chargesByOrder = new HashMap<>();
    try (Connection connection = payments.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT order_id, COUNT(*) FROM charges GROUP BY order_id");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        chargesByOrder.put(rows.getInt(1), rows.getLong(2));
      }
    }
    long recorded = 0;
    long duplicates = 0;
    long missing = 0;
    for (int order = 0; order < orders; order++) {
      long charges = chargesByOrder.getOrDefault(order, 0L);
      recorded += charges;
      duplicates += Math.max(0, charges - 1);
      missing += charges == 0 ? 1 : 0;
    }
    return new Counts(recorded, duplicates, missing);
  }
}
