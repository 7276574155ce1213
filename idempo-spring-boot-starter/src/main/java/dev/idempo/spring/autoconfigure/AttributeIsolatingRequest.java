package dev.idempo.spring.autoconfigure;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A request whose attribute writes stay in the wrapper: reads see the wrapper's own values first,
 * then the real request's. Lets the filter ask a handler mapping which handler will serve a request
 * without leaving the mapping's bookkeeping (parsed path, matched pattern, URI variables) on the
 * real request. Not thread-safe, like any request.
 */
final class AttributeIsolatingRequest extends HttpServletRequestWrapper {
  private static final Object REMOVED = new Object();

  private final Map<String, Object> own = new HashMap<>();

  AttributeIsolatingRequest(HttpServletRequest request) {
    super(request);
  }

  @Override
  public Object getAttribute(String name) {
    Object value = own.get(name);
    if (value == REMOVED) {
      return null;
    }
    return value != null ? value : super.getAttribute(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    own.put(name, value == null ? REMOVED : value);
  }

  @Override
  public void removeAttribute(String name) {
    own.put(name, REMOVED);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    Set<String> names = new LinkedHashSet<>(Collections.list(super.getAttributeNames()));
    own.forEach(
        (name, value) -> {
          if (value == REMOVED) {
            names.remove(name);
          } else {
            names.add(name);
          }
        });
    return Collections.enumeration(names);
  }
}
