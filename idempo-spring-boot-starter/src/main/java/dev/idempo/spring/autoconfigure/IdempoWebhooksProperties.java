package dev.idempo.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code idempo.webhooks.*} properties. Checked when the application starts; a bad value fails
 * the start-up with a message naming the property (never a secret).
 */
@ConfigurationProperties(prefix = "idempo.webhooks")
public class IdempoWebhooksProperties {
  /** Defaults everywhere; Spring Boot binds {@code idempo.webhooks.*} onto it. */
  public IdempoWebhooksProperties() {}

  /** Whether webhook endpoints are served. */
  private boolean enabled = true;

  /**
   * The endpoints, one per entry, in the gateway's --webhook syntax:
   * PATH=PROVIDER:SECRET[,SECRET...][;OPTION=VALUE...], e.g.
   * /hooks/stripe=stripe:env:STRIPE_SECRET. Secrets are named (env:NAME or file:PATH), never
   * written inline. Each path needs a @WebhookEndpoint method or a WebhookRegistration bean.
   */
  private List<String> endpoints = new ArrayList<>();

  /**
   * The signed-timestamp tolerance of every Stripe, Standard Webhooks and PayPal endpoint whose
   * entry sets none (;tolerance=...); the verifiers' own default (300 s) when unset.
   */
  private Duration tolerance;

  /**
   * How long an event id is remembered; longer than the senders' retry windows (Stripe, PayPal and
   * GitHub redelivery: 3 days). Expired ids are deleted every idempo.store.purge-interval.
   */
  private Duration retention = Duration.ofDays(7);

  /** The largest delivery body accepted; larger ones get 413. */
  private DataSize maxBodySize = DataSize.ofMegabytes(1);

  /**
   * The webhook filter's order: by default before Spring Security's filter chain (-100), since a
   * delivery authenticates with its signature, not a session or token.
   */
  private int filterOrder = -110;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(List<String> endpoints) {
    this.endpoints = endpoints;
  }

  public Duration getTolerance() {
    return tolerance;
  }

  public void setTolerance(Duration tolerance) {
    this.tolerance = tolerance;
  }

  public Duration getRetention() {
    return retention;
  }

  public void setRetention(Duration retention) {
    this.retention = retention;
  }

  public DataSize getMaxBodySize() {
    return maxBodySize;
  }

  public void setMaxBodySize(DataSize maxBodySize) {
    this.maxBodySize = maxBodySize;
  }

  public int getFilterOrder() {
    return filterOrder;
  }

  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }
}
