package dev.idempo.kafka.spring.autoconfigure;

import dev.idempo.kafka.spring.CurrentRecord;
import dev.idempo.kafka.spring.IdempotentListener;
import dev.idempo.kafka.spring.IdempotentListenerInterceptor;
import javax.sql.DataSource;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Turns {@link IdempotentListener} on: an infrastructure advisor proxies beans with annotated
 * methods (as {@code @Transactional} does) and runs them in a transactional consumer on the
 * application's {@code DataSource}; {@link CurrentRecord} is the containers' record interceptor
 * unless the application has its own. Off with {@code idempo.kafka.enabled=false}.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class, before = KafkaAutoConfiguration.class)
@ConditionalOnClass({KafkaListener.class, DataSource.class})
@ConditionalOnProperty(prefix = "idempo.kafka", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempoKafkaProperties.class)
public class IdempoKafkaAutoConfiguration {
  /** Created by Spring Boot when the auto-configuration applies. */
  public IdempoKafkaAutoConfiguration() {}

  /**
   * The advisor; static, and lazy in its dependencies, since it is built with the post-processors
   * before the application's beans.
   */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static Advisor idempotentListenerAdvisor(
      ObjectProvider<DataSource> dataSource, ObjectProvider<IdempoKafkaProperties> properties) {
    IdempotentListenerInterceptor interceptor =
        new IdempotentListenerInterceptor(
            dataSource::getObject,
            () -> {
              IdempoKafkaProperties settings = properties.getObject();
              return new IdempotentListenerInterceptor.Defaults(
                  settings.getMessageId(),
                  settings.getTablePrefix(),
                  settings.getRetention(),
                  settings.getMaxFailures());
            });
    return new DefaultPointcutAdvisor(
        AnnotationMatchingPointcut.forMethodAnnotation(IdempotentListener.class), interceptor);
  }

  @Bean
  @ConditionalOnMissingBean(RecordInterceptor.class)
  CurrentRecord idempoCurrentRecord() {
    return new CurrentRecord();
  }
}
