package dev.idempo.spring.autoconfigure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idempo.IdempotencyListener;
import dev.idempo.http.TenantSource;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.spring.IdempotencyRouteCustomizer;
import dev.idempo.store.IdempotencyStore;
import dev.idempo.store.InMemoryIdempotencyStore;
import dev.idempo.store.RecordPurger;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Auto-configuration of Idempo for Spring MVC: the {@link IdempotencyStore} chosen by {@code
 * idempo.store.type} (unless the application declares one), the {@code @Idempotent} handlers, the
 * servlet filter that guards them, and transactional mode when spring-jdbc and Jackson are present.
 * Off with {@code idempo.enabled=false}.
 */
// Its signatures name Spring Web MVC, an optional dependency (requires static): who uses it brings
// it.
@SuppressWarnings("exports")
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
      "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration",
      "org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration"
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({RequestMappingHandlerMapping.class, Filter.class})
@ConditionalOnProperty(prefix = "idempo", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempoProperties.class)
@Import({
  IdempoAutoConfiguration.OwnedRedisClientConfiguration.class,
  IdempoAutoConfiguration.TransactionalModeConfiguration.class
})
public class IdempoAutoConfiguration {
  /** Created by Spring Boot when the auto-configuration applies. */
  public IdempoAutoConfiguration() {}

  private static final String REDIS_STORE = "dev.idempo.redis.RedisIdempotencyStore";
  private static final String STORE_BEAN = "idempotencyStore";

  /** The store {@code idempo.store.type} names: memory (the default), jdbc or redis. */
  @Bean(STORE_BEAN)
  @ConditionalOnMissingBean(IdempotencyStore.class)
  IdempotencyStore idempotencyStore(
      IdempoProperties properties,
      ObjectProvider<DataSource> dataSources,
      ListableBeanFactory beans) {
    IdempoProperties.Store store = properties.getStore();
    IdempoProperties.StoreType type =
        store.getType() == null ? IdempoProperties.StoreType.MEMORY : store.getType();
    switch (type) {
      case JDBC -> {
        DataSource dataSource =
            dataSources.getIfUnique(
                () -> {
                  throw new IllegalStateException(
                      "idempo.store.type=jdbc needs exactly one DataSource bean (or a @Primary one):"
                          + " add spring-boot-starter-jdbc and a PostgreSQL or SQLite driver, and set"
                          + " spring.datasource.url");
                });
        JdbcIdempotencyStore.Builder builder = JdbcIdempotencyStore.builder(dataSource);
        IdempotentHandlers.checked(
            "idempo.store.jdbc.table-prefix",
            () -> builder.tablePrefix(store.getJdbc().getTablePrefix()));
        return builder.migrateSchema(store.getJdbc().isMigrateSchema()).build();
      }
      case REDIS -> {
        if (!ClassUtils.isPresent(REDIS_STORE, IdempoAutoConfiguration.class.getClassLoader())) {
          throw new IllegalStateException(
              "idempo.store.type=redis needs dev.idempo:idempo-redis on the class path");
        }
        return RedisStores.create(store.getRedis(), beans, STORE_BEAN);
      }
      default -> {
        InMemoryIdempotencyStore.Builder builder = InMemoryIdempotencyStore.builder();
        IdempotentHandlers.checked(
            "idempo.store.memory.max-records",
            () -> builder.maxRecords(store.getMemory().getMaxRecords()));
        return builder.build();
      }
    }
  }

  @Bean
  IdempotentHandlers idempotentHandlers(
      ObjectProvider<RequestMappingHandlerMapping> mappings,
      IdempoProperties properties,
      ObjectProvider<IdempotencyStore> store,
      ObjectProvider<TenantSource> tenantSource,
      ObjectProvider<IdempotencyRouteCustomizer> customizers,
      ObjectProvider<IdempotencyListener> listeners,
      ObjectProvider<TransactionalMode> transactionalMode) {
    return new IdempotentHandlers(
        mappings, properties, store, tenantSource, customizers, listeners, transactionalMode);
  }

  /** The filter, after authentication ({@code idempo.filter.order}, 0 by default). */
  @Bean
  FilterRegistrationBean<IdempotentHandlerFilter> idempotencyFilter(
      IdempotentHandlers handlers, IdempoProperties properties) {
    FilterRegistrationBean<IdempotentHandlerFilter> registration =
        new FilterRegistrationBean<>(new IdempotentHandlerFilter(handlers));
    registration.setName("idempotencyFilter");
    registration.setOrder(properties.getFilter().getOrder());
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.addUrlPatterns("/*");
    return registration;
  }

  @Bean
  ExpiredRecordPurger idempotencyRecordPurger(
      IdempoProperties properties,
      ObjectProvider<IdempotencyStore> store,
      ObjectProvider<TransactionalMode> transactionalMode) {
    Duration interval = properties.getStore().getPurgeInterval();
    if (interval == null || interval.isNegative()) {
      throw new IllegalStateException(
          "idempo.store.purge-interval must be 0 (off) or positive, was " + interval);
    }
    int batchSize = properties.getStore().getPurgeBatchSize();
    IdempotentHandlers.checked(
        "idempo.store.purge-batch-size",
        () -> RecordPurger.builder(List.of()).batchSize(batchSize));
    if (!interval.isZero()) {
      IdempotentHandlers.checked(
          "idempo.store.purge-interval", () -> RecordPurger.builder(List.of()).interval(interval));
    }
    return new ExpiredRecordPurger(
        () -> {
          List<IdempotencyStore> stores = new ArrayList<>();
          store.ifAvailable(stores::add);
          transactionalMode.ifAvailable(
              mode -> mode.store().filter(s -> !stores.contains(s)).ifPresent(stores::add));
          return stores;
        },
        interval,
        batchSize);
  }

  @Bean
  IdempotencyProblemResolver idempotencyProblemResolver() {
    return new IdempotencyProblemResolver();
  }

  /** Idempo's own Lettuce client, from {@code idempo.store.redis.uri}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.lettuce.core.RedisClient", REDIS_STORE})
  @ConditionalOnProperty(prefix = "idempo.store.redis", name = "uri")
  static class OwnedRedisClientConfiguration {
    @Bean
    RedisStores.OwnedClient idempoRedisClient(IdempoProperties properties) {
      return new RedisStores.OwnedClient(properties.getStore().getRedis().getUri());
    }
  }

  /** Idempo's own Lettuce cluster client, from {@code idempo.store.redis.cluster-nodes}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.lettuce.core.cluster.RedisClusterClient", REDIS_STORE})
  @Conditional(RedisStores.ClusterNodesSet.class)
  static class OwnedRedisClusterClientConfiguration {
    @Bean
    RedisStores.OwnedClusterClient idempoRedisClusterClient(IdempoProperties properties) {
      return new RedisStores.OwnedClusterClient(properties.getStore().getRedis().getClusterNodes());
    }
  }

  /** {@code @Idempotent(transactional = true)}: the advice and its advisor. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.jdbc.datasource.DataSourceUtils",
        "org.springframework.transaction.support.TransactionTemplate",
        "com.fasterxml.jackson.databind.ObjectMapper"
      })
  @Import(AutoProxying.class)
  static class TransactionalModeConfiguration {
    @Bean
    TransactionalIdempotencyInterceptor idempotencyTransactionalInterceptor(
        ListableBeanFactory beans,
        ObjectProvider<DataSource> dataSources,
        ObjectProvider<ObjectMapper> mappers,
        IdempoProperties properties,
        ObjectProvider<IdempotencyListener> listeners) {
      return new TransactionalIdempotencyInterceptor(
          beans, dataSources, mappers, properties, listeners);
    }

    /**
     * Static and lazy, so advisors are found without creating the interceptor's dependencies early.
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static Advisor idempotencyTransactionalAdvisor(
        ObjectProvider<TransactionalIdempotencyInterceptor> interceptor) {
      MethodInterceptor lazy = invocation -> interceptor.getObject().invoke(invocation);
      return new TransactionalIdempotencyAdvisor(lazy);
    }
  }

  /**
   * Makes sure an auto-proxy creator exists (Spring Boot's AOP or transaction support adds one
   * too).
   */
  static class AutoProxying implements ImportBeanDefinitionRegistrar {
    @Override
    public void registerBeanDefinitions(
        AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
    }
  }
}
