package dev.idempo.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idempo.spring.Idempotent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * {@link IdempotentHandlers#find} answers what Spring MVC's dispatcher picks, whether it takes its
 * shortcut (a guarded mapping alone on its literal path) or asks the mappings: a guarded pattern
 * shadowed by an unguarded literal path, one path with two media types, one path with two methods,
 * a guarded mapping beaten by a more specific unguarded one on the same path, matrix parameters,
 * percent-encoding, a trailing slash, a lower-case method, requests Spring MVC refuses.
 */
class HandlerLookupTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  IdempoAutoConfiguration.class,
                  JacksonAutoConfiguration.class,
                  HttpMessageConvertersAutoConfiguration.class,
                  DispatcherServletAutoConfiguration.class,
                  WebMvcAutoConfiguration.class))
          .withUserConfiguration(Routes.class);

  @RestController
  static class Routes {
    @PostMapping("/literal")
    @Idempotent
    String literal() {
      return "";
    }

    @PostMapping("/things/{id}")
    @Idempotent
    String thing(@PathVariable("id") String id) {
      return id;
    }

    @PostMapping("/things/special")
    String special() {
      return "";
    }

    @PostMapping(path = "/shared", consumes = "application/json")
    @Idempotent
    String sharedJson() {
      return "";
    }

    @PostMapping(path = "/shared", consumes = "text/plain")
    String sharedText() {
      return "";
    }

    @PostMapping("/both")
    @Idempotent
    String bothPost() {
      return "";
    }

    @PutMapping("/both")
    String bothPut() {
      return "";
    }

    @PostMapping("/pick")
    @Idempotent
    String pickAnything() {
      return "";
    }

    @PostMapping(path = "/pick", consumes = "application/json")
    String pickJson() {
      return "";
    }

    @PostMapping("/plain")
    String plain() {
      return "";
    }
  }

  @Test
  void findAnswersWhatSpringMvcPicks() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          IdempotentHandlers handlers = context.getBean(IdempotentHandlers.class);
          List<MockHttpServletRequest> requests =
              List.of(
                  request("POST", "/literal", null),
                  request("POST", "/literal;jsessionid=1", null),
                  request("POST", "/lit%65ral", null),
                  request("post", "/literal", null),
                  request("POST", "/literal/", null),
                  request("PATCH", "/literal", null),
                  request("POST", "/things/1", null),
                  request("POST", "/things/special", null),
                  request("POST", "/shared", "application/json"),
                  request("POST", "/shared", "text/plain"),
                  request("POST", "/shared", "application/xml"),
                  request("POST", "/both", null),
                  request("PUT", "/both", null),
                  request("POST", "/pick", "application/json"),
                  request("POST", "/pick", "text/plain"),
                  request("POST", "/plain", null),
                  request("POST", "/nothing", null));
          for (MockHttpServletRequest request : requests) {
            String expected = springMvcPick(context, request);
            IdempotentHandler found = handlers.find(request);
            assertThat(found == null ? null : found.handler().getMethod().getName())
                .as(request.getMethod() + " " + request.getRequestURI())
                .isEqualTo(expected);
            assertThat(request.getAttributeNames().hasMoreElements())
                .as("attributes left on " + request.getRequestURI())
                .isFalse();
          }
          // What the list above pins, spelled out.
          assertThat(handlers.find(request("POST", "/literal", null)).handler().getMethod())
              .extracting("name")
              .isEqualTo("literal");
          assertThat(handlers.find(request("POST", "/things/special", null))).isNull();
          assertThat(handlers.find(request("POST", "/things/7", null)).handler().getMethod())
              .extracting("name")
              .isEqualTo("thing");
          assertThat(handlers.find(request("POST", "/shared", "text/plain"))).isNull();
          assertThat(handlers.find(request("POST", "/shared", "application/json"))).isNotNull();
          assertThat(handlers.find(request("PUT", "/both", null))).isNull();
          assertThat(handlers.find(request("POST", "/pick", "application/json"))).isNull();
          assertThat(handlers.find(request("POST", "/pick", "text/plain"))).isNotNull();
        });
  }

  private static MockHttpServletRequest request(String method, String uri, String contentType) {
    MockHttpServletRequest request = new MockHttpServletRequest(method, uri);
    if (contentType != null) {
      request.setContentType(contentType);
    }
    return request;
  }

  /** The guarded handler's method name the dispatcher's mappings pick, or null. */
  private static String springMvcPick(ApplicationContext context, MockHttpServletRequest real)
      throws Exception {
    MockHttpServletRequest request =
        new MockHttpServletRequest(real.getMethod(), real.getRequestURI());
    request.setContentType(real.getContentType());
    for (RequestMappingHandlerMapping mapping :
        context.getBeansOfType(RequestMappingHandlerMapping.class).values()) {
      ServletRequestPathUtils.parseAndCache(request);
      HandlerExecutionChain chain;
      try {
        chain = mapping.getHandler(request);
      } catch (Exception refused) {
        return null;
      }
      if (chain != null) {
        HandlerMethod handler = (HandlerMethod) chain.getHandler();
        return handler.getMethod().isAnnotationPresent(Idempotent.class)
            ? handler.getMethod().getName()
            : null;
      }
    }
    return null;
  }
}
