package dev.idempo.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The guarded routes, and which one guards a request: among the routes covering the request's
 * method, the one whose path matches most specifically (an exact path, then the longest prefix); on
 * a tie, the route added first.
 *
 * <p>Immutable and thread-safe.
 */
public final class RouteTable {
  private final List<IdempotencyRoute> routes;

  private RouteTable(List<IdempotencyRoute> routes) {
    this.routes = routes;
  }

  /**
   * A table of {@code routes}.
   *
   * @throws IllegalArgumentException if two routes share a name (they would share keys), or both
   *     cover the same method on the same path pattern (which one guards would be arbitrary)
   */
  public static RouteTable of(List<IdempotencyRoute> routes) {
    Objects.requireNonNull(routes, "routes must not be null");
    Map<String, IdempotencyRoute> names = new HashMap<>();
    Map<String, IdempotencyRoute> patterns = new HashMap<>();
    for (IdempotencyRoute route : routes) {
      Objects.requireNonNull(route, "route must not be null");
      IdempotencyRoute sameName = names.putIfAbsent(route.name(), route);
      if (sameName != null) {
        throw new IllegalArgumentException(
            "two routes are named \""
                + route.name()
                + "\"; a route's name is part of its keys' scope");
      }
      for (String method : route.methods()) {
        for (String path : route.paths()) {
          IdempotencyRoute other = patterns.putIfAbsent(method + " " + path, route);
          if (other != null) {
            throw new IllegalArgumentException(
                "routes \""
                    + other.name()
                    + "\" and \""
                    + route.name()
                    + "\" both guard "
                    + method
                    + " "
                    + path);
          }
        }
      }
    }
    return new RouteTable(List.copyOf(new ArrayList<>(routes)));
  }

  public static RouteTable of(IdempotencyRoute... routes) {
    return of(List.of(routes));
  }

  /** The routes, in the order given. */
  public List<IdempotencyRoute> routes() {
    return routes;
  }

  /** The route guarding {@code method} on {@code path}, if any. */
  public Optional<IdempotencyRoute> match(String method, String path) {
    Objects.requireNonNull(method, "method must not be null");
    Objects.requireNonNull(path, "path must not be null");
    IdempotencyRoute best = null;
    int bestSpecificity = -1;
    for (IdempotencyRoute route : routes) {
      int specificity = route.specificity(method, path);
      if (specificity > bestSpecificity) {
        best = route;
        bestSpecificity = specificity;
      }
    }
    return Optional.ofNullable(best);
  }

  @Override
  public String toString() {
    return "RouteTable" + routes;
  }
}
