package dev.idempo.kafka.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.messaging.Message;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ListenerMessagesTest {
  private final ConsumerRecord<Object, Object> record = record();

  private static ConsumerRecord<Object, Object> record() {
    ConsumerRecord<Object, Object> record =
        new ConsumerRecord<>("orders", 2, 41, "order-7", "paid");
    record.headers().add("event-id", "e-1".getBytes(StandardCharsets.UTF_8));
    record.headers().add("idempo-message-id", "m-1".getBytes(StandardCharsets.UTF_8));
    return record;
  }

  @Test
  void aDeserializedRecordBecomesAMessage() {
    Message message = ListenerMessages.toMessage(record);
    assertEquals("paid", new String(message.payload(), StandardCharsets.UTF_8));
    assertEquals(Optional.of("order-7"), message.key());
    assertEquals(Optional.of("m-1"), message.brokerMessageId());
    assertEquals("orders-2@41", message.source());
  }

  @Test
  void theMessageIdFormsReadHeaderKeyAndPayload() {
    Message message = ListenerMessages.toMessage(record);
    assertEquals(
        Optional.of("e-1"), ListenerMessages.extractor("header:event-id").extract(message));
    assertEquals(Optional.of("order-7"), ListenerMessages.extractor("key").extract(message));
    assertEquals(Optional.of("paid"), ListenerMessages.extractor("payload").extract(message));
  }

  @Test
  void anUnknownMessageIdFormIsRefusedByName() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> ListenerMessages.extractor("headers"));
    assertTrue(refused.getMessage().contains("'headers'"), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ListenerMessages.extractor("header:"));
  }
}
