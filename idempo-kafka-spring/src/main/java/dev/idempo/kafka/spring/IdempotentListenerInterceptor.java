package dev.idempo.kafka.spring;

import dev.idempo.messaging.ConsumeOutcome;
import dev.idempo.messaging.TransactionalConsumer;
import java.lang.reflect.UndeclaredThrowableException;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs {@link IdempotentListener} methods inside a {@link TransactionalConsumer}: the dedup record
 * is inserted on a connection of the application's {@code DataSource}, that connection is bound as
 * Spring's transactional connection for the {@code DataSource} while the method runs (so {@code
 * JdbcTemplate} and joining {@code @Transactional} code write in the same transaction), and
 * everything commits together. A duplicate returns null without invoking the method (and
 * acknowledges a manual {@link Acknowledgment} argument); a failure rolls back and rethrows the
 * method's exception so the container's error handler redelivers; at {@code maxFailures} the record
 * is parked as a dead letter and acknowledged.
 *
 * <p>Thread-safe: consumers are built once per (name, message id) and shared.
 */
public final class IdempotentListenerInterceptor implements MethodInterceptor {
  private final Supplier<DataSource> dataSource;
  private final Supplier<Defaults> defaults;
  private final Map<String, TransactionalConsumer> consumers = new ConcurrentHashMap<>();

  /**
   * The settings of consumers whose annotation leaves them open.
   *
   * @param messageId where a record's id is: {@code header:<name>}, {@code key} or {@code payload}
   * @param tablePrefix the messaging tables' prefix
   * @param retention how long a dedup record lives
   * @param maxFailures failures of a record before it is parked
   */
  public record Defaults(
      String messageId, String tablePrefix, Duration retention, int maxFailures) {
    /** Checks the values. @throws IllegalArgumentException naming a bad one */
    public Defaults {
      ListenerMessages.extractor(messageId);
      Objects.requireNonNull(tablePrefix, "tablePrefix must not be null");
      Objects.requireNonNull(retention, "retention must not be null");
      if (maxFailures < 1) {
        throw new IllegalArgumentException("maxFailures must be at least 1, was " + maxFailures);
      }
    }
  }

  /**
   * An interceptor on the {@code DataSource} {@code dataSource} supplies, with {@code defaults};
   * both are looked up on first use (the interceptor is built while Spring starts its
   * post-processors, before the application's beans).
   */
  public IdempotentListenerInterceptor(
      Supplier<DataSource> dataSource, Supplier<Defaults> defaults) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    this.defaults = Objects.requireNonNull(defaults, "defaults must not be null");
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    IdempotentListener annotation =
        AnnotatedElementUtils.findMergedAnnotation(
            invocation.getMethod(), IdempotentListener.class);
    if (annotation == null) {
      return invocation.proceed();
    }
    ConsumerRecord<?, ?> record = record(invocation);
    TransactionalConsumer consumer = consumer(annotation, invocation);
    DataSource source = consumer.dataSource();
    if (TransactionSynchronizationManager.hasResource(source)) {
      throw new IllegalStateException(
          "@IdempotentListener "
              + invocation.getMethod().getName()
              + " runs its own JDBC transaction, but one is already bound to the DataSource; "
              + "do not run the listener container in a DataSource transaction");
    }
    Object[] result = new Object[1];
    Throwable[] thrown = new Throwable[1];
    ConsumeOutcome outcome =
        consumer.consume(
            ListenerMessages.toMessage(record),
            (connection, message) -> result[0] = runBound(invocation, source, connection, thrown));
    switch (outcome) {
      case PROCESSED -> {
        return result[0];
      }
      case FAILED -> throw thrown[0];
      default -> {
        // DUPLICATE or PARKED: settled; the container commits the offset when we return.
        for (Object argument : invocation.getArguments()) {
          if (argument instanceof Acknowledgment acknowledgment) {
            acknowledgment.acknowledge();
          }
        }
        return null;
      }
    }
  }

  private static Object runBound(
      MethodInvocation invocation, DataSource source, Connection connection, Throwable[] thrown)
      throws Exception {
    JoinedConnection holder = new JoinedConnection(connection);
    TransactionSynchronizationManager.bindResource(source, holder);
    try {
      Object value = invocation.proceed();
      if (holder.isRollbackOnly()) {
        // Joined @Transactional code failed and marked the transaction, even if the method
        // caught the exception: commit nothing.
        throw new IllegalStateException("the listener's transaction was marked rollback-only");
      }
      return value;
    } catch (Exception e) {
      thrown[0] = e;
      throw e;
    } catch (Error e) {
      thrown[0] = e;
      throw e;
    } catch (Throwable t) {
      thrown[0] = t;
      throw new UndeclaredThrowableException(t);
    } finally {
      TransactionSynchronizationManager.unbindResource(source);
    }
  }

  private TransactionalConsumer consumer(
      IdempotentListener annotation, MethodInvocation invocation) {
    String name = annotation.name();
    if (name.isEmpty()) {
      name = KafkaUtils.getConsumerGroupId();
      if (name == null || name.isEmpty()) {
        throw new IllegalStateException(
            "@IdempotentListener "
                + invocation.getMethod().getName()
                + " has no name and its container no group id; set name");
      }
    }
    Defaults settings = defaults.get();
    String messageId =
        annotation.messageId().isEmpty() ? settings.messageId() : annotation.messageId();
    String consumerName = name;
    return consumers.computeIfAbsent(
        consumerName + "\n" + messageId,
        key ->
            TransactionalConsumer.builder(dataSource.get(), consumerName)
                .messageId(ListenerMessages.extractor(messageId))
                .tablePrefix(settings.tablePrefix())
                .retention(settings.retention())
                .maxFailures(settings.maxFailures())
                .build());
  }

  private static ConsumerRecord<?, ?> record(MethodInvocation invocation) {
    for (Object argument : invocation.getArguments()) {
      if (argument instanceof ConsumerRecord<?, ?> record) {
        return record;
      }
    }
    ConsumerRecord<?, ?> current = CurrentRecord.get();
    if (current == null) {
      throw new IllegalStateException(
          "@IdempotentListener "
              + invocation.getMethod().getName()
              + " was called outside a listener container delivering one record: take a "
              + "ConsumerRecord parameter, or keep idempo-kafka-spring's RecordInterceptor");
    }
    return current;
  }

  /** The consumer's connection as Spring's transactional connection: joined, never committed. */
  private static final class JoinedConnection extends ConnectionHolder {
    JoinedConnection(Connection connection) {
      super(connection);
      setSynchronizedWithTransaction(true);
      setTransactionActive(true);
    }
  }
}
