package dev.idempo.spring.autoconfigure;

import dev.idempo.spring.WebhookEndpoint;
import dev.idempo.webhooks.WebhookEvent;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Collects the {@link WebhookEndpoint} methods of every bean as it is initialized, checking each
 * method's parameters; {@link WebhookEndpoints} builds the receiver from them once every singleton
 * exists. Thread-safe.
 */
final class WebhookEndpointMethods implements BeanPostProcessor {
  /** One annotated method on its bean. */
  record Found(String path, boolean transactional, Object bean, Method method, String where) {
    /** Calls the method, rethrowing what it threw. */
    void invoke(Object... arguments) throws Exception {
      try {
        method.invoke(bean, arguments);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception exception) {
          throw exception;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw e;
      }
    }
  }

  private final List<Found> found = new ArrayList<>();

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    if (!AnnotationUtils.isCandidateClass(type, WebhookEndpoint.class)) {
      return bean;
    }
    Map<Method, WebhookEndpoint> methods =
        MethodIntrospector.selectMethods(
            type,
            (MethodIntrospector.MetadataLookup<WebhookEndpoint>)
                method ->
                    AnnotatedElementUtils.findMergedAnnotation(method, WebhookEndpoint.class));
    methods.forEach((method, annotation) -> add(bean, beanName, type, method, annotation));
    return bean;
  }

  private void add(
      Object bean, String beanName, Class<?> type, Method method, WebhookEndpoint annotation) {
    String typeName = type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
    String where =
        "@WebhookEndpoint on " + typeName + "." + method.getName() + " (bean " + beanName + ")";
    if (annotation.path().isEmpty()) {
      throw new IllegalStateException(
          where + " needs a path, e.g. @WebhookEndpoint(\"/hooks/stripe\")");
    }
    Class<?>[] parameters = method.getParameterTypes();
    boolean leased = parameters.length == 1 && parameters[0] == WebhookEvent.class;
    boolean transactional =
        parameters.length == 2
            && parameters[0] == WebhookEvent.class
            && parameters[1] == Connection.class;
    if (annotation.transactional() ? !transactional : !leased) {
      throw new IllegalStateException(
          where
              + " must take "
              + (annotation.transactional()
                  ? "(WebhookEvent, java.sql.Connection) with transactional = true"
                  : "one WebhookEvent (or (WebhookEvent, java.sql.Connection) with"
                      + " transactional = true)"));
    }
    Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
    invocable.setAccessible(true);
    synchronized (found) {
      found.add(new Found(annotation.path(), annotation.transactional(), bean, invocable, where));
    }
  }

  List<Found> found() {
    synchronized (found) {
      return List.copyOf(found);
    }
  }
}
