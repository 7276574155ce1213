package dev.idempo.spring.autoconfigure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idempo.ExecutionOutcome;
import dev.idempo.FingerprintMismatchException;
import dev.idempo.IdempotencyListener;
import dev.idempo.KeyInFlightException;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.StoredResponseUnreadableException;
import dev.idempo.jdbc.JdbcIdempotency;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.jdbc.TransactionalResult;
import dev.idempo.jdbc.UnknownFormatVersionException;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.StoreUnavailableException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpEntity;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.method.HandlerMethod;

/**
 * Runs {@code @Idempotent(transactional = true)} handlers: in a transaction opened with the
 * handler's own {@code @Transactional} settings (which the handler's transaction advice then
 * joins), on the connection Spring binds to it, {@link JdbcIdempotency} inserts the key's row, runs
 * the handler and stores its result, or replays the result an earlier request committed. See {@link
 * dev.idempo.spring.Idempotent#transactional()} for the contract.
 *
 * <p>Ordered just outside Spring's transaction advice, so it owns the transaction and can roll it
 * back for a released status. If an application orders its transaction advice outside this one, the
 * advice joins that transaction instead: a handler that throws still leaves nothing, but a released
 * status marks the transaction rollback-only and the commit then fails (500).
 *
 * <p>Thread-safe; handlers are prepared once, at start-up.
 */
final class TransactionalIdempotencyInterceptor implements MethodInterceptor, TransactionalMode {
  /** Return types whose result cannot be stored and replayed (async, streams, views). */
  private static final List<String> UNSUPPORTED_RESULTS =
      List.of(
          "java.util.concurrent.Future",
          "java.util.concurrent.CompletionStage",
          "java.util.concurrent.Callable",
          "org.springframework.web.context.request.async.DeferredResult",
          "org.springframework.web.context.request.async.WebAsyncTask",
          "org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter",
          "org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody",
          "org.reactivestreams.Publisher",
          "org.springframework.core.io.Resource",
          "org.springframework.web.servlet.ModelAndView",
          "java.io.InputStream");

  private static final Set<Integer> JOINABLE_PROPAGATIONS =
      Set.of(
          TransactionDefinition.PROPAGATION_REQUIRED,
          TransactionDefinition.PROPAGATION_SUPPORTS,
          TransactionDefinition.PROPAGATION_MANDATORY);

  private final ListableBeanFactory beans;
  private final ObjectProvider<DataSource> dataSources;
  private final ObjectProvider<ObjectMapper> mappers;
  private final IdempoProperties properties;
  private final ObjectProvider<IdempotencyListener> listeners;
  private final AnnotationTransactionAttributeSource transactionAttributes =
      new AnnotationTransactionAttributeSource(false);
  private final Map<Method, Plan> plans = new ConcurrentHashMap<>();
  private JdbcIdempotencyStore store;
  private volatile IdempotencyListener listener = IdempotencyListener.NONE;

  TransactionalIdempotencyInterceptor(
      ListableBeanFactory beans,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<ObjectMapper> mappers,
      IdempoProperties properties,
      ObjectProvider<IdempotencyListener> listeners) {
    this.beans = beans;
    this.dataSources = dataSources;
    this.mappers = mappers;
    this.properties = properties;
    this.listeners = listeners;
  }

  /** What one handler runs with. */
  private record Plan(
      IdempotentHandler.Transactional handler,
      DataSource dataSource,
      TransactionTemplate transaction,
      JdbcIdempotency idempotency,
      HandlerResultCodec codec) {}

  @Override
  public synchronized void prepare(IdempotentHandler.Transactional handler) {
    HandlerMethod method = handler.handler();
    String where = "@Idempotent(transactional = true) on " + IdempotentHandler.describe(method);
    if (plans.isEmpty()) {
      listener = new CompositeIdempotencyListener(listeners.orderedStream().toList());
    }
    checkReturnType(method, where);
    DataSource dataSource =
        dataSources.getIfUnique(
            () -> {
              throw new IllegalStateException(
                  where + " needs exactly one DataSource bean (or a @Primary one)");
            });
    TransactionAttribute attribute =
        transactionAttributes.getTransactionAttribute(method.getMethod(), method.getBeanType());
    if (attribute != null && !JOINABLE_PROPAGATIONS.contains(attribute.getPropagationBehavior())) {
      throw new IllegalStateException(
          where
              + ": its @Transactional propagation would leave the transaction that holds the"
              + " key's row; use REQUIRED (the default), SUPPORTS or MANDATORY");
    }
    PlatformTransactionManager transactionManager = transactionManager(attribute, where);
    if (transactionManager instanceof ResourceTransactionManager resources
        && resources.getResourceFactory() instanceof DataSource managed
        && managed != dataSource) {
      throw new IllegalStateException(
          where
              + ": its transaction manager "
              + transactionManager.getClass().getSimpleName()
              + " manages another DataSource than the application's, so the key's row could not"
              + " join its transaction");
    }
    DefaultTransactionDefinition definition =
        attribute != null
            ? new DefaultTransactionDefinition(attribute)
            : new DefaultTransactionDefinition();
    definition.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
    definition.setName(ClassUtils.getQualifiedMethodName(method.getMethod(), method.getBeanType()));
    ObjectMapper mapper = mappers.getIfAvailable(ObjectMapper::new);
    HandlerResultCodec codec =
        new HandlerResultCodec(
            mapper,
            handler.codec(),
            handler.http().storedHeaders(),
            method.getMethod(),
            method.getBeanType());
    JdbcIdempotency idempotency =
        JdbcIdempotency.builder(store(dataSource)).retention(handler.route().retention()).build();
    plans.put(
        method.getMethod(),
        new Plan(
            handler,
            dataSource,
            new TransactionTemplate(transactionManager, definition),
            idempotency,
            codec));
  }

  @Override
  public synchronized Optional<IdempotencyStore> store() {
    return Optional.ofNullable(store);
  }

  /** The tables of transactional mode, on the application's DataSource; created once. */
  private JdbcIdempotencyStore store(DataSource dataSource) {
    if (store == null) {
      IdempoProperties.Jdbc jdbc = properties.getStore().getJdbc();
      JdbcIdempotencyStore.Builder builder = JdbcIdempotencyStore.builder(dataSource);
      IdempotentHandlers.checked(
          "idempo.store.jdbc.table-prefix", () -> builder.tablePrefix(jdbc.getTablePrefix()));
      store = builder.migrateSchema(jdbc.isMigrateSchema()).build();
    }
    return store;
  }

  private PlatformTransactionManager transactionManager(
      TransactionAttribute attribute, String where) {
    String qualifier = attribute != null ? attribute.getQualifier() : null;
    if (StringUtils.hasText(qualifier)) {
      return BeanFactoryAnnotationUtils.qualifiedBeanOfType(
          beans, PlatformTransactionManager.class, qualifier);
    }
    return beans
        .getBeanProvider(PlatformTransactionManager.class)
        .getIfUnique(
            () -> {
              throw new IllegalStateException(
                  where
                      + " needs one PlatformTransactionManager bean for the DataSource (or name it"
                      + " with @Transactional(\"...\"))");
            });
  }

  private static void checkReturnType(HandlerMethod method, String where) {
    Class<?> returned = method.getMethod().getReturnType();
    if (returned == void.class || returned == Void.class) {
      throw new IllegalStateException(
          where
              + " returns nothing: transactional mode stores and replays the returned body or"
              + " ResponseEntity; return one, or use leased mode");
    }
    boolean entity = ResponseEntity.class.isAssignableFrom(returned);
    if (!entity && HttpEntity.class.isAssignableFrom(returned)) {
      throw new IllegalStateException(
          where + ": return a ResponseEntity rather than an HttpEntity");
    }
    if (!entity
        && !AnnotatedElementUtils.hasAnnotation(method.getBeanType(), ResponseBody.class)
        && !AnnotatedElementUtils.hasAnnotation(method.getMethod(), ResponseBody.class)) {
      throw new IllegalStateException(
          where
              + " returns a view, not a @ResponseBody: transactional mode can only replay bodies");
    }
    Class<?> body =
        entity
            ? ResolvableType.forMethodReturnType(method.getMethod(), method.getBeanType())
                .as(ResponseEntity.class)
                .getGeneric(0)
                .toClass()
            : returned;
    ClassLoader loader = method.getBeanType().getClassLoader();
    for (String name : UNSUPPORTED_RESULTS) {
      if (ClassUtils.isPresent(name, loader)) {
        Class<?> unsupported = ClassUtils.resolveClassName(name, loader);
        if (unsupported.isAssignableFrom(returned) || unsupported.isAssignableFrom(body)) {
          throw new IllegalStateException(
              where
                  + " returns "
                  + unsupported.getSimpleName()
                  + ", which cannot be stored and"
                  + " replayed; use leased mode, or return the body itself");
        }
      }
    }
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    TransactionalClaim claim = TransactionalClaim.take(invocation.getMethod());
    if (claim == null) {
      return invocation.proceed();
    }
    Plan plan = plans.get(claim.handler().handler().getMethod());
    if (plan == null) {
      throw new IllegalStateException(
          "handler " + claim.handler().route().name() + " was not prepared");
    }
    HttpIdempotency http = plan.handler().http();
    TransactionalResult<Object> result;
    try {
      result = plan.transaction().execute(status -> run(plan, claim, invocation));
    } catch (ReleasedResult released) {
      listener.onOutcome(claim.scope(), ExecutionOutcome.RELEASED);
      return released.value;
    } catch (HandlerFailure failure) {
      throw failure.getCause();
    } catch (UnknownFormatVersionException e) {
      throw refusal(claim, http, new StoredResponseUnreadableException(e.getMessage(), e));
    } catch (FingerprintMismatchException
        | KeyInFlightException
        | StoreUnavailableException
        | StoredResponseUnreadableException e) {
      throw refusal(claim, http, e);
    }
    if (result.isReplayed()) {
      listener.onOutcome(claim.scope(), ExecutionOutcome.REPLAYED);
      markReplayed();
    } else {
      listener.onOutcome(claim.scope(), ExecutionOutcome.EXECUTED);
    }
    return result.value();
  }

  /** The problem {@link HttpIdempotency#begin} answers when its claim fails so. */
  private IdempotencyProblemException refusal(
      TransactionalClaim claim, HttpIdempotency http, RuntimeException failure) {
    if (failure instanceof FingerprintMismatchException) {
      listener.onOutcome(claim.scope(), ExecutionOutcome.MISMATCH);
    } else if (failure instanceof KeyInFlightException) {
      listener.onOutcome(claim.scope(), ExecutionOutcome.IN_FLIGHT);
    }
    return new IdempotencyProblemException(
        http.problem(claim.handler().route(), failure).response(), failure);
  }

  /** Inside the transaction: claim on its connection, run the handler, store its result. */
  private static TransactionalResult<Object> run(
      Plan plan, TransactionalClaim claim, MethodInvocation invocation) {
    DataSource dataSource = plan.dataSource();
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      if (!DataSourceUtils.isConnectionTransactional(connection, dataSource)) {
        throw new IllegalStateException(
            "route "
                + claim.handler().route().name()
                + ": the transaction of "
                + plan.transaction().getTransactionManager()
                + " does not hold a connection of the"
                + " application's DataSource, so the key's row cannot join it");
      }
      return plan.idempotency()
          .execute(
              connection,
              claim.scope(),
              claim.key(),
              claim.fingerprint(),
              plan.codec().forRecord(plan.handler().codec(), claim.scope().storageKey(claim.key())),
              joined -> {
                Object value;
                try {
                  value = invocation.proceed();
                } catch (RuntimeException | Error e) {
                  throw e;
                } catch (Throwable checked) {
                  throw new HandlerFailure(checked);
                }
                if (value instanceof ResponseEntity<?> response
                    && claim.handler().route().releases(response.getStatusCode().value())) {
                  throw new ReleasedResult(value); // not processed: roll back, store nothing
                }
                return value;
              });
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  private static void markReplayed() {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    if (attributes instanceof ServletRequestAttributes servlet && servlet.getResponse() != null) {
      servlet.getResponse().setHeader(HttpIdempotency.REPLAYED_HEADER, "true");
    }
  }

  @Override
  public String toString() {
    return "TransactionalIdempotencyInterceptor[" + plans.size() + " handlers]";
  }

  /** Carries a checked exception of the handler through the transaction, which rolls back. */
  private static final class HandlerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HandlerFailure(Throwable cause) {
      super(cause);
    }
  }

  /** A response with a released status: the transaction rolls back and the response is sent. */
  private static final class ReleasedResult extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object value;

    ReleasedResult(Object value) {
      super("released status", null, false, false);
      this.value = value;
    }
  }
}
