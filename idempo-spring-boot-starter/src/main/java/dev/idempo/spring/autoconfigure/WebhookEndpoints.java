package dev.idempo.spring.autoconfigure;

import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.spring.WebhookRegistration;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.webhooks.RefusalReason;
import dev.idempo.webhooks.TransactionalWebhookHandler;
import dev.idempo.webhooks.WebhookEndpointSpec;
import dev.idempo.webhooks.WebhookHandler;
import dev.idempo.webhooks.WebhookListener;
import dev.idempo.webhooks.WebhookReceiver;
import dev.idempo.webhooks.WebhookVerifier;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Builds the application's {@link WebhookReceiver} once every singleton exists, matching the {@code
 * idempo.webhooks.endpoints} entries with the {@code @WebhookEndpoint} methods and {@link
 * WebhookRegistration} beans by path; any mismatch fails the start-up, naming the path and the
 * handler. When transactional endpoints need a JDBC store and the application's store is not one,
 * it makes and owns one on the DataSource ({@link #ownedStore()}, purged by {@code
 * idempoWebhookRecordPurger} and closed with the context). Thread-safe after start-up.
 */
final class WebhookEndpoints implements SmartInitializingSingleton, DisposableBean {
  private static final Set<String> TIMED_PROVIDERS =
      Set.of("stripe", "standard-webhooks", "svix", "paypal");

  private final IdempoWebhooksProperties properties;
  private final WebhookEndpointMethods methods;
  private final ObjectProvider<WebhookRegistration> registrations;
  private final ObjectProvider<IdempotencyStore> stores;
  private final ObjectProvider<DataSource> dataSources;
  private final ObjectProvider<WebhookListener> listeners;
  private final ObjectProvider<IdempoProperties> idempoProperties;
  private InstantSource clock = InstantSource.system();
  private volatile WebhookReceiver receiver;
  private volatile JdbcIdempotencyStore ownedStore;

  WebhookEndpoints(
      IdempoWebhooksProperties properties,
      WebhookEndpointMethods methods,
      ObjectProvider<WebhookRegistration> registrations,
      ObjectProvider<IdempotencyStore> stores,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<WebhookListener> listeners,
      ObjectProvider<IdempoProperties> idempoProperties) {
    this.properties = properties;
    this.methods = methods;
    this.registrations = registrations;
    this.stores = stores;
    this.dataSources = dataSources;
    this.listeners = listeners;
    this.idempoProperties = idempoProperties;
  }

  /** The receiver, once built; empty when the application declares no endpoint. */
  Optional<WebhookReceiver> receiver() {
    return Optional.ofNullable(receiver);
  }

  /**
   * The JDBC store made for transactional endpoints, when the application's own store is not one;
   * empty before start-up and otherwise.
   */
  Optional<IdempotencyStore> ownedStore() {
    return Optional.ofNullable(ownedStore);
  }

  /** The clock of the receiver and of the store it makes; tests set it before start-up. */
  void clock(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public void afterSingletonsInstantiated() {
    receiver = build();
  }

  @Override
  public void destroy() {
    JdbcIdempotencyStore owned = ownedStore;
    if (owned != null) {
      owned.close();
    }
  }

  /** One handler to be registered, wherever it was declared. */
  private record Handler(
      String path,
      WebhookVerifier verifier,
      WebhookHandler leased,
      TransactionalWebhookHandler transactional,
      String where) {}

  private WebhookReceiver build() {
    Map<String, WebhookVerifier> specs = new LinkedHashMap<>();
    List<String> entries =
        properties.getEndpoints() == null ? List.of() : properties.getEndpoints();
    for (int i = 0; i < entries.size(); i++) {
      String property = "idempo.webhooks.endpoints[" + i + "]";
      String text = withTolerance(entries.get(i));
      WebhookEndpointSpec[] spec = new WebhookEndpointSpec[1];
      IdempotentHandlers.checked(property, () -> spec[0] = WebhookEndpointSpec.parse(text));
      if (specs.put(spec[0].path(), spec[0].verifier()) != null) {
        throw new IllegalStateException(
            property + ": another entry already configures " + spec[0].path());
      }
    }
    List<Handler> handlers = new ArrayList<>();
    for (WebhookEndpointMethods.Found found : methods.found()) {
      handlers.add(
          found.transactional()
              ? new Handler(found.path(), null, null, found::invoke, found.where())
              : new Handler(found.path(), null, found::invoke, null, found.where()));
    }
    registrations
        .orderedStream()
        .forEach(
            registration ->
                handlers.add(
                    new Handler(
                        registration.path(),
                        registration.verifier().orElse(null),
                        registration.handler(),
                        registration.transactionalHandler(),
                        registration.toString())));
    if (specs.isEmpty() && handlers.isEmpty()) {
      return null;
    }
    Map<String, Handler> byPath = new LinkedHashMap<>();
    for (Handler handler : handlers) {
      Handler other = byPath.put(handler.path(), handler);
      if (other != null) {
        throw new IllegalStateException(
            "webhook endpoint "
                + handler.path()
                + " has two handlers: "
                + other.where()
                + " and "
                + handler.where());
      }
      boolean configured = specs.containsKey(handler.path());
      if (handler.verifier() != null && configured) {
        throw new IllegalStateException(
            handler.where()
                + " brings its own verifier, but"
                + " idempo.webhooks.endpoints also configures "
                + handler.path()
                + "; keep one");
      }
      if (handler.verifier() == null && !configured) {
        throw new IllegalStateException(
            handler.where()
                + " has no idempo.webhooks.endpoints entry"
                + " for "
                + handler.path()
                + ", e.g. "
                + handler.path()
                + "=stripe:env:STRIPE_SECRET");
      }
    }
    for (String path : specs.keySet()) {
      if (!byPath.containsKey(path)) {
        throw new IllegalStateException(
            "idempo.webhooks.endpoints configures "
                + path
                + " but no"
                + " handler is declared for it: add @WebhookEndpoint(\""
                + path
                + "\") to a bean"
                + " method or a WebhookRegistration bean");
      }
    }
    boolean anyTransactional = byPath.values().stream().anyMatch(h -> h.transactional() != null);
    DataSource dataSource = anyTransactional ? dataSource(byPath.values()) : null;
    WebhookReceiver.Builder builder = WebhookReceiver.builder(store(dataSource)).clock(clock);
    for (Handler handler : byPath.values()) {
      WebhookVerifier verifier =
          handler.verifier() != null ? handler.verifier() : specs.get(handler.path());
      IdempotentHandlers.checked(
          handler.where(),
          () -> {
            if (handler.transactional() != null) {
              builder.transactionalEndpoint(
                  handler.path(), verifier, dataSource, handler.transactional());
            } else {
              builder.endpoint(handler.path(), verifier, handler.leased());
            }
          });
    }
    IdempotentHandlers.checked(
        "idempo.webhooks.retention", () -> builder.retention(properties.getRetention()));
    IdempotentHandlers.checked(
        "idempo.webhooks.max-body-size",
        () ->
            builder.maxBodyBytes(
                (int) Math.min(Integer.MAX_VALUE, properties.getMaxBodySize().toBytes())));
    IdempoProperties idempo = idempoProperties.getIfAvailable();
    if (idempo != null && idempo.getProblemBase() != null) {
      builder.problemBase(idempo.getProblemBase());
    }
    List<WebhookListener> all = listeners.orderedStream().toList();
    if (!all.isEmpty()) {
      builder.listener(new CompositeWebhookListener(all));
    }
    WebhookReceiver[] built = new WebhookReceiver[1];
    IdempotentHandlers.checked("idempo.webhooks", () -> built[0] = builder.build());
    return built[0];
  }

  /** The entry with {@code idempo.webhooks.tolerance} added, when it sets none of its own. */
  private String withTolerance(String entry) {
    Duration tolerance = properties.getTolerance();
    if (entry == null
        || tolerance == null
        || entry.toLowerCase(Locale.ROOT).contains(";tolerance=")) {
      return entry;
    }
    int equals = entry.indexOf('=');
    int colon = entry.indexOf(':', Math.max(equals, 0));
    if (equals < 0 || colon < 0) {
      return entry; // parsing names what is wrong
    }
    String provider = entry.substring(equals + 1, colon).toLowerCase(Locale.ROOT);
    if (!TIMED_PROVIDERS.contains(provider)) {
      return entry;
    }
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw new IllegalStateException(
          "idempo.webhooks.tolerance must be positive, was " + tolerance);
    }
    return entry + ";tolerance=" + tolerance.toMillis() / 1000 + "s";
  }

  private DataSource dataSource(Iterable<Handler> handlers) {
    String where = "";
    for (Handler handler : handlers) {
      if (handler.transactional() != null) {
        where = handler.where();
        break;
      }
    }
    String transactional = where;
    return dataSources.getIfUnique(
        () -> {
          throw new IllegalStateException(
              transactional
                  + " is transactional and needs exactly one"
                  + " DataSource bean (or a @Primary one) on PostgreSQL or SQLite");
        });
  }

  /**
   * The application's store; in transactional mode a JDBC store on the application's DataSource
   * (the application's own store when it is one).
   */
  private IdempotencyStore store(DataSource dataSource) {
    IdempotencyStore store = stores.getIfAvailable();
    if (dataSource == null) {
      if (store == null) {
        throw new IllegalStateException(
            "webhook endpoints need an IdempotencyStore bean (idempo.store.type)");
      }
      return store;
    }
    if (store instanceof JdbcIdempotencyStore jdbc) {
      return jdbc;
    }
    ownedStore = JdbcIdempotencyStore.builder(dataSource).migrateSchema(true).clock(clock).build();
    return ownedStore;
  }

  /** Tells every {@link WebhookListener} bean; one that throws does not stop the rest. */
  private static final class CompositeWebhookListener implements WebhookListener {
    private final List<WebhookListener> listeners;

    CompositeWebhookListener(List<WebhookListener> listeners) {
      this.listeners = List.copyOf(listeners);
    }

    private void each(Consumer<WebhookListener> call) {
      for (WebhookListener listener : listeners) {
        try {
          call.accept(listener);
        } catch (RuntimeException ignored) {
          // A listener must never change the answer.
        }
      }
    }

    @Override
    public void onVerified(String endpoint, String provider) {
      each(l -> l.onVerified(endpoint, provider));
    }

    @Override
    public void onRefused(String endpoint, String provider, RefusalReason reason) {
      each(l -> l.onRefused(endpoint, provider, reason));
    }

    @Override
    public void onDuplicate(String endpoint, String provider, boolean inFlight) {
      each(l -> l.onDuplicate(endpoint, provider, inFlight));
    }

    @Override
    public void onHandled(String endpoint, String provider) {
      each(l -> l.onHandled(endpoint, provider));
    }

    @Override
    public void onHandlerFailure(String endpoint, String provider, Throwable failure) {
      each(l -> l.onHandlerFailure(endpoint, provider, failure));
    }

    @Override
    public void onStoreFailure(String endpoint, String provider, RuntimeException failure) {
      each(l -> l.onStoreFailure(endpoint, provider, failure));
    }
  }
}
