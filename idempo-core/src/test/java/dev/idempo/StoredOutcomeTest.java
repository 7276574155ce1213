package dev.idempo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.internal.StoredOutcome;
import dev.idempo.store.StoredRecordUnreadableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StoredOutcomeTest {

  @Test
  void aValueRoundTrips() {
    byte[] value = "receipt".getBytes(StandardCharsets.UTF_8);
    StoredOutcome outcome = StoredOutcome.decode(StoredOutcome.encodeValue(value));

    assertEquals(StoredOutcome.Kind.VALUE, outcome.kind());
    assertArrayEquals(value, outcome.valueOrThrow());
  }

  @Test
  void aFailureReplaysAsAStoredFailureWithALongMessageCut() {
    String longMessage = "x".repeat(10_000);
    StoredOutcome outcome =
        StoredOutcome.decode(StoredOutcome.encodeFailure(new IllegalStateException(longMessage)));

    StoredFailureException replayed =
        assertThrows(StoredFailureException.class, outcome::valueOrThrow);
    assertEquals(IllegalStateException.class.getName(), replayed.failureClassName());
    assertEquals(4096, replayed.failureMessage().length());
    assertEquals(StoredOutcome.Kind.FAILURE, outcome.kind());
  }

  @Test
  void anUnknownOutcomeReplaysAsOutcomeUnknown() {
    StoredOutcome outcome = StoredOutcome.decode(StoredOutcome.encodeOutcomeUnknown());

    assertTrue(assertThrows(OutcomeUnknownException.class, outcome::valueOrThrow).replayed());
  }

  @Test
  void foreignVersionedOrTruncatedBytesAreClearErrors() {
    assertTrue(
        assertThrows(
                StoredRecordUnreadableException.class,
                () -> StoredOutcome.decode(new byte[] {1, 2, 3}))
            .getMessage()
            .contains("not in Idempo's outcome format"));
    assertTrue(
        assertThrows(
                StoredRecordUnreadableException.class,
                () -> StoredOutcome.decode(new byte[] {(byte) 0xD1, 2, 0}))
            .getMessage()
            .contains("version 2"));
    assertTrue(
        assertThrows(
                StoredRecordUnreadableException.class,
                () -> StoredOutcome.decode(new byte[] {(byte) 0xD1, 1, 7}))
            .getMessage()
            .contains("kind 7"));
    byte[] failure = StoredOutcome.encodeFailure(new RuntimeException("boom"));
    byte[] truncated = Arrays.copyOf(failure, failure.length - 2);
    assertTrue(
        assertThrows(StoredRecordUnreadableException.class, () -> StoredOutcome.decode(truncated))
            .getMessage()
            .contains("truncated"));
  }
}
