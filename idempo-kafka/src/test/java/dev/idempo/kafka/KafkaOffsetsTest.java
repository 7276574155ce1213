package dev.idempo.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idempo.jdbc.Dialect;
import dev.idempo.testsupport.TestDatabases;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KafkaOffsetsTest {
  /**
   * A consumer that lost its partition in a rebalance and commits a record late must not move the
   * stored offset back behind what the new owner already committed.
   */
  @ParameterizedTest
  @EnumSource(TestDatabases.class)
  void aLateCommitOfAConsumerThatLostItsPartitionNeverMovesTheOffsetBack(TestDatabases database)
      throws Exception {
    DataSource dataSource = database.dataSource();
    String prefix = TestDatabases.freshPrefix();
    KafkaOffsets offsets =
        new KafkaOffsets(
            dataSource,
            database == TestDatabases.SQLITE ? Dialect.SQLITE : Dialect.POSTGRESQL,
            prefix);
    offsets.create();
    TopicPartition partition = new TopicPartition("orders", 3);
    try (Connection connection = dataSource.getConnection()) {
      offsets.advance(connection, "payments", partition, 120); // the new owner
      offsets.advance(connection, "payments", partition, 101); // the old one, late
    }
    assertEquals(Map.of(partition, 120L), offsets.read("payments", List.of(partition)));
    try (Connection connection = dataSource.getConnection()) {
      offsets.advance(connection, "payments", partition, 121);
    }
    assertEquals(Map.of(partition, 121L), offsets.read("payments", List.of(partition)));
    assertEquals(Map.of(), offsets.read("audit", List.of(partition)), "per consumer group");
  }
}
