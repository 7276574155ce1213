package dev.idempo.spring.autoconfigure;

import dev.idempo.IdempotencyListener;
import dev.idempo.http.CapturedResponseCodec;
import dev.idempo.http.EncryptionKeys;
import dev.idempo.http.HttpIdempotency;
import dev.idempo.http.IdempotencyRoute;
import dev.idempo.http.TenantSource;
import dev.idempo.servlet.IdempotencyFilter;
import dev.idempo.spring.IdempotencyRouteCustomizer;
import dev.idempo.spring.Idempotent;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.condition.PathPatternsRequestCondition;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.UrlPathHelper;

/**
 * The {@link Idempotent} handler methods, found at start-up in every {@link
 * RequestMappingHandlerMapping}, each with the route and the guard built for it; and, per request,
 * the one that will serve it. Discovery runs once, after every singleton exists, and fails the
 * start-up on a bad annotation or property. Thread-safe after discovery.
 */
final class IdempotentHandlers implements SmartInitializingSingleton {
  private static final Log LOG = LogFactory.getLog(IdempotentHandlers.class);

  private final ObjectProvider<RequestMappingHandlerMapping> mappings;
  private final IdempoProperties properties;
  private final ObjectProvider<IdempotencyStore> store;
  private final ObjectProvider<TenantSource> tenantSource;
  private final ObjectProvider<IdempotencyRouteCustomizer> customizers;
  private final ObjectProvider<IdempotencyListener> listeners;
  private final ObjectProvider<TransactionalMode> transactionalMode;

  private volatile Map<Method, IdempotentHandler> handlers;
  private volatile Lookup lookup;

  IdempotentHandlers(
      ObjectProvider<RequestMappingHandlerMapping> mappings,
      IdempoProperties properties,
      ObjectProvider<IdempotencyStore> store,
      ObjectProvider<TenantSource> tenantSource,
      ObjectProvider<IdempotencyRouteCustomizer> customizers,
      ObjectProvider<IdempotencyListener> listeners,
      ObjectProvider<TransactionalMode> transactionalMode) {
    this.mappings = mappings;
    this.properties = properties;
    this.store = store;
    this.tenantSource = tenantSource;
    this.customizers = customizers;
    this.listeners = listeners;
    this.transactionalMode = transactionalMode;
  }

  @Override
  public void afterSingletonsInstantiated() {
    discover();
  }

  /** Every guarded handler, by method; discovers them first if needed. */
  Collection<IdempotentHandler> all() {
    discover();
    return handlers.values();
  }

  /**
   * The guarded handler Spring MVC will dispatch {@code request} to, or null: no handler, an
   * unguarded one, or a request Spring MVC will refuse itself (405, 415, ...).
   *
   * <p>Asking the mappings for the handler is what Spring MVC's dispatcher does again right after
   * (interceptors, CORS, URI variables): a cost per request that most requests need not pay. When
   * every mapping matches with parsed path patterns, the guarded mappings are checked first. A
   * guarded mapping that is the only one for the request's literal path in the first mapping is
   * Spring MVC's pick whenever it matches (the direct-path lookup looks no further): if it has no
   * condition but its methods, the path and method decide without evaluating anything. If no
   * guarded mapping's conditions match, Spring MVC cannot pick a guarded handler. Only the other
   * requests ask the mappings.
   */
  IdempotentHandler find(HttpServletRequest request) {
    Lookup lookup = this.lookup;
    if (lookup == null || lookup.candidates.isEmpty()) {
      return null;
    }
    // Matching stores path and match attributes on the request: keep them off the real one.
    HttpServletRequest probe = new AttributeIsolatingRequest(request);
    if (lookup.pathPatterns) {
      ServletRequestPathUtils.parseAndCache(probe);
      // The lookup path of Spring MVC's direct-path lookup (AbstractHandlerMethodMapping).
      String path =
          UrlPathHelper.defaultInstance.removeSemicolonContent(
              ServletRequestPathUtils.getParsedRequestPath(probe).pathWithinApplication().value());
      String method = request.getMethod();
      for (Candidate candidate : lookup.candidates) {
        if (candidate.picksByPathAndMethod(path, method)) {
          return candidate.handler;
        }
      }
      Candidate matched = lookup.firstMatch(probe);
      if (matched == null) {
        return null;
      }
      if (matched.solePaths.contains(path)) {
        return matched.handler;
      }
    }
    return askMappings(probe, lookup);
  }

  /** What Spring MVC's handler mappings answer for {@code probe}, as the dispatcher asks them. */
  private static IdempotentHandler askMappings(HttpServletRequest probe, Lookup lookup) {
    for (RequestMappingHandlerMapping mapping : lookup.mappings) {
      HandlerExecutionChain chain;
      try {
        if (mapping.usesPathPatterns()) {
          ServletRequestPathUtils.parseAndCache(probe);
        }
        chain = mapping.getHandler(probe);
      } catch (Exception refused) {
        return null; // the dispatcher will answer it (method not allowed, media type, ...)
      }
      if (chain != null) {
        return chain.getHandler() instanceof HandlerMethod handler
            ? lookup.byMethod.get(handler.getMethod())
            : null;
      }
    }
    return null;
  }

  private synchronized void discover() {
    if (handlers != null) {
      return;
    }
    List<RequestMappingHandlerMapping> found = new ArrayList<>(mappings.stream().toList());
    AnnotationAwareOrderComparator.sort(found);
    RouteDefaults defaults = new RouteDefaults(properties, tenantSource.getIfUnique(() -> null));
    IdempotencyListener listener =
        new CompositeIdempotencyListener(listeners.orderedStream().toList());
    HttpSettings common = HttpSettings.from(properties, listener);
    List<IdempotencyRouteCustomizer> routeCustomizers = customizers.orderedStream().toList();
    Map<Method, IdempotentHandler> guarded = new LinkedHashMap<>();
    for (RequestMappingHandlerMapping mapping : found) {
      for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
          mapping.getHandlerMethods().entrySet()) {
        HandlerMethod handler = entry.getValue();
        Idempotent onMethod =
            AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Idempotent.class);
        Idempotent annotation =
            onMethod != null
                ? onMethod
                : AnnotatedElementUtils.findMergedAnnotation(
                    handler.getBeanType(), Idempotent.class);
        if (annotation == null || guarded.containsKey(handler.getMethod())) {
          continue;
        }
        Set<String> methods = unsafeMethods(entry.getKey());
        if (methods.isEmpty()) {
          if (onMethod != null) {
            throw new IllegalStateException(
                "@Idempotent on "
                    + IdempotentHandler.describe(handler)
                    + ", which maps only "
                    + entry.getKey().getMethodsCondition().getMethods()
                    + ": safe methods never touch the idempotency store; guard a POST, PUT, PATCH"
                    + " or DELETE handler");
          }
          continue;
        }
        IdempotencyRoute route =
            buildRoute(handler, entry.getKey(), annotation, methods, defaults, routeCustomizers);
        guarded.put(handler.getMethod(), guard(handler, route, annotation, common));
      }
    }
    this.lookup = Lookup.of(found, guarded);
    this.handlers = Map.copyOf(guarded);
    if (!guarded.isEmpty()) {
      LOG.info(
          "Idempo guards "
              + guarded.size()
              + " handler(s) with "
              + store.getIfAvailable(() -> null)
              + ": "
              + guarded.values().stream()
                  .map(
                      h ->
                          h.route().methods()
                              + " "
                              + h.route().name()
                              + (h instanceof IdempotentHandler.Transactional
                                  ? " (transactional)"
                                  : ""))
                  .collect(Collectors.joining(", ")));
    }
  }

  private IdempotentHandler guard(
      HandlerMethod handler, IdempotencyRoute route, Idempotent annotation, HttpSettings common) {
    IdempotencyStore keys =
        store.getIfAvailable(
            () -> {
              throw new IllegalStateException(
                  "@Idempotent on "
                      + IdempotentHandler.describe(handler)
                      + " needs an IdempotencyStore bean; set idempo.store.type");
            });
    HttpIdempotency.Builder http = HttpIdempotency.builder(keys).route(route);
    common.applyTo(http);
    if (!annotation.transactional()) {
      return new IdempotentHandler.Leased(handler, route, IdempotencyFilter.of(http.build()));
    }
    IdempotentHandler.Transactional transactional =
        new IdempotentHandler.Transactional(handler, route, http.build(), common.codec());
    TransactionalMode mode =
        transactionalMode.getIfAvailable(
            () -> {
              throw new IllegalStateException(
                  "@Idempotent(transactional = true) on "
                      + IdempotentHandler.describe(handler)
                      + " needs spring-jdbc, Jackson, one DataSource bean and a transaction"
                      + " manager; add spring-boot-starter-jdbc (and a PostgreSQL or SQLite"
                      + " DataSource), or drop transactional = true for leased mode");
            });
    mode.prepare(transactional);
    return transactional;
  }

  private static Set<String> unsafeMethods(RequestMappingInfo info) {
    Set<RequestMethod> mapped = info.getMethodsCondition().getMethods();
    if (mapped.isEmpty()) {
      return new TreeSet<>(IdempotencyRoute.DEFAULT_METHODS);
    }
    Set<String> unsafe = new TreeSet<>();
    for (RequestMethod method : mapped) {
      if (!IdempotencyRoute.SAFE_METHODS.contains(method.name())) {
        unsafe.add(method.name());
      }
    }
    return unsafe;
  }

  private static IdempotencyRoute buildRoute(
      HandlerMethod handler,
      RequestMappingInfo info,
      Idempotent annotation,
      Set<String> methods,
      RouteDefaults defaults,
      List<IdempotencyRouteCustomizer> customizers) {
    String where = "@Idempotent on " + IdempotentHandler.describe(handler);
    if (annotation.transactional() && !annotation.lease().isEmpty()) {
      throw new IllegalStateException(
          where
              + ": lease has no meaning in transactional mode (the"
              + " transaction holds the key's row); remove it");
    }
    if (annotation.transactional() && !annotation.waitForInFlight().isEmpty()) {
      throw new IllegalStateException(
          where
              + ": waitForInFlight has no meaning in transactional"
              + " mode (a duplicate always waits on the key's row); remove it");
    }
    // Matching is Spring MVC's (see find); the route only needs to cover every path.
    IdempotencyRoute.Builder route = IdempotencyRoute.builder("/**");
    try {
      route
          .name(annotation.name().isEmpty() ? defaultName(info) : annotation.name())
          .methods(methods.toArray(new String[0]))
          .keyRequired(annotation.required())
          .lease(duration(annotation.lease(), defaults.lease, "lease"))
          .retention(duration(annotation.retention(), defaults.retention, "retention"))
          .waitForInFlight(
              duration(annotation.waitForInFlight(), defaults.waitForInFlight, "waitForInFlight"));
      defaults.applyTo(route);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ": " + e.getMessage(), e);
    }
    for (IdempotencyRouteCustomizer customizer : customizers) {
      customizer.customize(handler, route);
    }
    try {
      return route.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ": " + e.getMessage(), e);
    }
  }

  /** The mapping's path patterns, sorted and joined by commas: stable across deployments. */
  private static String defaultName(RequestMappingInfo info) {
    Set<String> patterns = new TreeSet<>(info.getPatternValues());
    patterns.remove("");
    return patterns.isEmpty() ? "/" : String.join(",", patterns);
  }

  private static Duration duration(String text, Duration fallback, String attribute) {
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      return DurationStyle.detectAndParse(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          attribute
              + " = \""
              + text
              + "\" is not a duration; write e.g. \"30s\", \"24h\" or \"PT1M\"",
          e);
    }
  }

  @Override
  public String toString() {
    Map<Method, IdempotentHandler> guarded = handlers;
    return "IdempotentHandlers["
        + (guarded == null ? "not discovered" : guarded.size() + " handlers")
        + "]";
  }

  /**
   * The mappings to ask, in the dispatcher's order, and every mapping of a guarded handler, each
   * with what it takes for Spring MVC to pick it without looking further. Immutable.
   */
  private static final class Lookup {
    final List<RequestMappingHandlerMapping> mappings;
    final Map<Method, IdempotentHandler> byMethod;
    final List<Candidate> candidates;

    /** Every mapping matches on parsed path patterns (Spring Boot's default). */
    final boolean pathPatterns;

    private Lookup(
        List<RequestMappingHandlerMapping> mappings,
        Map<Method, IdempotentHandler> byMethod,
        List<Candidate> candidates) {
      this.mappings = List.copyOf(mappings);
      this.byMethod = Map.copyOf(byMethod);
      this.candidates = List.copyOf(candidates);
      this.pathPatterns =
          !mappings.isEmpty()
              && mappings.stream().allMatch(RequestMappingHandlerMapping::usesPathPatterns);
    }

    static Lookup of(
        List<RequestMappingHandlerMapping> mappings, Map<Method, IdempotentHandler> guarded) {
      List<Candidate> candidates = new ArrayList<>();
      for (int i = 0; i < mappings.size(); i++) {
        Map<RequestMappingInfo, HandlerMethod> all = mappings.get(i).getHandlerMethods();
        Map<String, Integer> mappingsPerDirectPath = new HashMap<>();
        for (RequestMappingInfo info : all.keySet()) {
          for (String path : info.getDirectPaths()) {
            mappingsPerDirectPath.merge(path, 1, Integer::sum);
          }
        }
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : all.entrySet()) {
          IdempotentHandler handler = guarded.get(entry.getValue().getMethod());
          if (handler != null) {
            RequestMappingInfo info = entry.getKey();
            // Only the first mapping's literal paths, each mapped once, are sure to be Spring's
            // pick when they match: the dispatcher asks that mapping first, and its direct-path
            // lookup compares the mappings of that path only.
            Set<String> direct = info.getDirectPaths();
            boolean sole =
                i == 0
                    && !direct.isEmpty()
                    && !direct.contains("")
                    && direct.equals(info.getPatternValues())
                    && direct.stream().allMatch(path -> mappingsPerDirectPath.get(path) == 1);
            candidates.add(Candidate.of(info, handler, sole));
          }
        }
      }
      return new Lookup(mappings, guarded, candidates);
    }

    /** The first guarded mapping whose conditions {@code probe} meets, or null. */
    Candidate firstMatch(HttpServletRequest probe) {
      for (Candidate candidate : candidates) {
        // The path first: most candidates fail there, before any media type is parsed.
        PathPatternsRequestCondition paths = candidate.info.getPathPatternsCondition();
        if (paths != null && paths.getMatchingCondition(probe) == null) {
          continue;
        }
        if (candidate.info.getMatchingCondition(probe) != null) {
          return candidate;
        }
      }
      return null;
    }
  }

  /**
   * A guarded handler's mapping.
   *
   * @param solePaths the literal paths for which Spring MVC picks this mapping whenever it matches;
   *     empty when no path is sure to
   * @param onlyMethods the request methods of a sole mapping that has no other condition (params,
   *     headers, media types, custom): on one of its sole paths, the method alone decides; else
   *     empty
   */
  private record Candidate(
      RequestMappingInfo info,
      IdempotentHandler handler,
      Set<String> solePaths,
      Set<String> onlyMethods) {
    static Candidate of(RequestMappingInfo info, IdempotentHandler handler, boolean sole) {
      if (!sole) {
        return new Candidate(info, handler, Set.of(), Set.of());
      }
      boolean pathAndMethodOnly =
          info.getParamsCondition().isEmpty()
              && info.getHeadersCondition().isEmpty()
              && info.getConsumesCondition().isEmpty()
              && info.getProducesCondition().isEmpty()
              && info.getCustomCondition() == null;
      Set<String> methods =
          info.getMethodsCondition().getMethods().stream()
              .map(RequestMethod::name)
              .collect(Collectors.toUnmodifiableSet());
      return new Candidate(
          info, handler, Set.copyOf(info.getDirectPaths()), pathAndMethodOnly ? methods : Set.of());
    }

    /**
     * Whether Spring MVC surely picks this mapping for {@code path} (its direct-path lookup's key)
     * and {@code method}, without evaluating its conditions: the path is one of its sole literal
     * paths, written without percent-encoding (a literal pattern matches decoded segments), and the
     * method is one it maps.
     */
    boolean picksByPathAndMethod(String path, String method) {
      return !onlyMethods.isEmpty()
          && onlyMethods.contains(method)
          && solePaths.contains(path)
          && path.indexOf('%') < 0;
    }
  }

  /** The {@code idempo.defaults.*} and {@code idempo.tenant.*} properties, checked once. */
  private static final class RouteDefaults {
    final Duration lease;
    final Duration retention;
    final Duration waitForInFlight;
    private final IdempoProperties.Defaults properties;
    private final TenantSource tenant;
    private final int[] released;

    RouteDefaults(IdempoProperties all, TenantSource tenantBean) {
      this.properties = all.getDefaults();
      this.lease = properties.getLease();
      this.retention = properties.getRetention();
      this.waitForInFlight = properties.getWaitForInFlight();
      this.tenant = tenantBean != null ? tenantBean : tenantFromProperties(all.getTenant());
      this.released =
          properties.getReleasedStatuses().stream().mapToInt(Integer::intValue).toArray();
      IdempotencyRoute.Builder check = IdempotencyRoute.builder("/**");
      checked("idempo.defaults.lease", () -> check.lease(lease));
      checked("idempo.defaults.retention", () -> check.retention(retention));
      checked("idempo.defaults.wait-for-in-flight", () -> check.waitForInFlight(waitForInFlight));
      checked("idempo.defaults.takeover", () -> check.takeover(properties.getTakeover()));
      checked(
          "idempo.defaults.fingerprint", () -> check.fingerprinter(properties.getFingerprint()));
      checked("idempo.defaults.released-statuses", () -> check.releasedStatuses(released));
    }

    void applyTo(IdempotencyRoute.Builder route) {
      route
          .takeover(properties.getTakeover())
          .fingerprinter(properties.getFingerprint())
          .tenantSource(tenant)
          .releasedStatuses(released);
    }

    private static TenantSource tenantFromProperties(IdempoProperties.Tenant tenant) {
      return TenantProperties.source(tenant.getSource(), tenant.getHeader());
    }
  }

  /** Applies the {@code idempo.*} settings every route's {@link HttpIdempotency} shares. */
  private record HttpSettings(
      Consumer<HttpIdempotency.Builder> settings, CapturedResponseCodec codec) {
    void applyTo(HttpIdempotency.Builder http) {
      settings.accept(http);
    }

    static HttpSettings from(IdempoProperties properties, IdempotencyListener listener) {
      int maxRequest = bytes(properties.getMaxRequestBodySize(), "idempo.max-request-body-size");
      int maxResponse = bytes(properties.getMaxResponseBodySize(), "idempo.max-response-body-size");
      List<String> storedHeaders =
          new ArrayList<>(new LinkedHashSet<>(properties.getStoredHeaders()));
      Optional<EncryptionKeys> encryption = encryptionKeys(properties.getEncryption());
      Consumer<HttpIdempotency.Builder> settings =
          http -> {
            checked("idempo.problem-base", () -> http.problemBase(properties.getProblemBase()));
            if (properties.getDocumentationBase() != null
                && !properties.getDocumentationBase().isBlank()) {
              checked(
                  "idempo.documentation-base",
                  () -> http.documentationBase(properties.getDocumentationBase()));
            }
            checked("idempo.max-request-body-size", () -> http.maxRequestBodyBytes(maxRequest));
            checked("idempo.max-response-body-size", () -> http.maxResponseBodyBytes(maxResponse));
            checked(
                "idempo.stored-headers",
                () -> http.storedHeaders(storedHeaders.toArray(new String[0])));
            encryption.ifPresent(http::encryption);
            http.listener(listener);
          };
      settings.accept(
          HttpIdempotency.builder(InMemoryIdempotencyStore.create())); // checks them now
      return new HttpSettings(
          settings,
          encryption.map(CapturedResponseCodec::encrypted).orElseGet(CapturedResponseCodec::plain));
    }

    private static Optional<EncryptionKeys> encryptionKeys(IdempoProperties.Encryption encryption) {
      List<IdempoProperties.Key> keys = encryption.getKeys();
      if (keys == null || keys.isEmpty()) {
        return Optional.empty();
      }
      EncryptionKeys.Builder builder = EncryptionKeys.builder();
      for (int i = 0; i < keys.size(); i++) {
        IdempoProperties.Key key = keys.get(i);
        String property = "idempo.encryption.keys[" + i + "]";
        if (key.getId() == null || key.getSecret() == null) {
          throw new IllegalStateException(
              property + " needs both id and secret (32 bytes, base64)");
        }
        byte[] secret;
        try {
          secret = Base64.getDecoder().decode(key.getSecret().trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(property + ".secret is not base64: " + e.getMessage(), e);
        }
        checked(property, () -> builder.add(key.getId(), secret));
      }
      return Optional.of(builder.build());
    }

    private static int bytes(DataSize size, String property) {
      long bytes = size == null ? -1 : size.toBytes();
      if (bytes < 0 || bytes > HttpIdempotency.MAX_BODY_LIMIT) {
        throw new IllegalStateException(
            property
                + " must be between 0B and "
                + (HttpIdempotency.MAX_BODY_LIMIT >> 20)
                + "MB, was "
                + size);
      }
      return (int) bytes;
    }
  }

  /** Runs {@code setting}; a rejected value fails the start-up naming {@code property}. */
  static void checked(String property, Runnable setting) {
    try {
      setting.run();
    } catch (IllegalArgumentException | NullPointerException | IllegalStateException e) {
      throw new IllegalStateException(property + ": " + e.getMessage(), e);
    }
  }
}
