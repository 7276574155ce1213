package dev.idempo.messaging;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A write a broker runner adds to the transaction that settles a message (processed, duplicate or
 * parked), such as storing the next Kafka offset of the message's partition.
 */
@FunctionalInterface
public interface TransactionStep {
  /** Does nothing. */
  TransactionStep NONE = connection -> {};

  /** Runs inside the settling transaction, just before its commit. */
  void run(Connection connection) throws SQLException;
}
