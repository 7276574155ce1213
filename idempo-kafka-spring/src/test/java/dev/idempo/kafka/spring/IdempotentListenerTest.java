package dev.idempo.kafka.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.testsupport.KafkaBroker;
import dev.idempo.testsupport.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * A Spring Boot application with a plain {@code @KafkaListener} writing through {@code
 * JdbcTemplate}, made idempotent by {@link IdempotentListener} alone, on a real KRaft broker and
 * PostgreSQL.
 */
class IdempotentListenerTest {
  private static final String TOPIC = "payments";
  private static ConfigurableApplicationContext app;
  private static JdbcTemplate jdbc;
  private static KafkaProducer<String, String> producer;

  @BeforeAll
  static void startApplication() {
    KafkaBroker broker = KafkaBroker.shared();
    broker.createTopic(TOPIC, 1);
    PostgresServer postgres = PostgresServer.shared();
    String url = postgres.createDatabase("kafka_spring_" + System.nanoTime() % 1_000_000_000L);
    app =
        new SpringApplicationBuilder(PaymentsApplication.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.datasource.url=" + url,
                "spring.datasource.username=" + PostgresServer.USER,
                "spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "spring.kafka.consumer.auto-offset-reset=earliest",
                "spring.kafka.consumer.group-id=payments",
                "spring.main.banner-mode=off")
            .run();
    jdbc = app.getBean(JdbcTemplate.class);
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
  }

  @AfterAll
  static void stopApplication() {
    if (producer != null) {
      producer.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aResentEventTakesEffectOnce() throws Exception {
    send("order-1", "event-1");
    send("order-1", "event-1"); // the producer's resend after a lost ack: a new offset, same id
    send("order-2", "event-2");
    // One partition, one listener thread: once order-2 is charged, both order-1 records were seen.
    assertTrue(Payments.charged("order-2").await(60, TimeUnit.SECONDS), "order-2 was charged");

    assertEquals(1, charges("order-1"));
    assertEquals(1, Payments.invocations("order-1"));
    assertEquals(1, dedupRecords("event-1"));
  }

  @Test
  void aListenerThatThrowsLeavesNoDedupRecordAndTheRedeliveryRuns() throws Exception {
    Payments.failuresLeft.put("order-3", new AtomicInteger(1));
    send("order-3", "event-3");
    assertTrue(Payments.charged("order-3").await(60, TimeUnit.SECONDS), "order-3 was charged");

    assertEquals(2, Payments.invocations("order-3"), "the redelivery ran the listener again");
    // The first attempt inserted a charge and threw: rolled back with its dedup record.
    assertEquals(List.of(0L), Payments.chargesSeenBefore.get("order-3").subList(1, 2));
    assertEquals(1, charges("order-3"));
    assertEquals(1, dedupRecords("event-3"));
  }

  private static void send(String order, String eventId) throws Exception {
    ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, order, order);
    record.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
    producer.send(record).get(30, TimeUnit.SECONDS);
  }

  private static long charges(String order) {
    return jdbc.queryForObject(
        "SELECT count(*) FROM charges WHERE order_id = ?", Long.class, order);
  }

  private static long dedupRecords(String eventId) {
    return jdbc.queryForObject(
        "SELECT count(*) FROM idempo_consumed WHERE consumer = 'payments' AND message_id = ?",
        Long.class,
        eventId);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class PaymentsApplication {
    @Bean
    Payments payments(JdbcTemplate jdbc) {
      jdbc.execute("CREATE TABLE IF NOT EXISTS charges (order_id TEXT NOT NULL)");
      return new Payments(jdbc);
    }
  }

  /** The application's listener: nothing Idempo in it but the annotation. */
  static class Payments {
    static final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    static final Map<String, List<Long>> chargesSeenBefore = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> INVOCATIONS = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> CHARGED = new ConcurrentHashMap<>();

    private final JdbcTemplate jdbc;

    Payments(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    static CountDownLatch charged(String order) {
      return CHARGED.computeIfAbsent(order, key -> new CountDownLatch(1));
    }

    static int invocations(String order) {
      return INVOCATIONS.getOrDefault(order, new AtomicInteger()).get();
    }

    @KafkaListener(topics = TOPIC)
    @IdempotentListener(name = "payments", messageId = "header:event-id")
    public void charge(String order) {
      INVOCATIONS.computeIfAbsent(order, key -> new AtomicInteger()).incrementAndGet();
      chargesSeenBefore
          .computeIfAbsent(order, key -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(
              jdbc.queryForObject(
                  "SELECT count(*) FROM charges WHERE order_id = ?", Long.class, order));
      jdbc.update("INSERT INTO charges (order_id) VALUES (?)", order);
      AtomicInteger failures = failuresLeft.get(order);
      if (failures != null && failures.getAndDecrement() > 0) {
        throw new IllegalStateException("payment provider down for " + order);
      }
      charged(order).countDown();
    }
  }
}
