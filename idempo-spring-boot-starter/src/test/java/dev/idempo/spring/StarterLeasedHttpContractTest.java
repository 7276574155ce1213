package dev.idempo.spring;

import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import dev.idempo.jdbc.JdbcIdempotencyStore;
import dev.idempo.store.tck.OutageStore;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.EnumSet;
import javax.sql.DataSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP contract through {@code @Idempotent} handlers in leased mode, on the JDBC store on
 * PostgreSQL (behind an {@link OutageStore}, so the suite can count its calls and take it down). A
 * handler that throws: Spring answers its 500 and the key records an unknown outcome, so retries
 * get 502 {@code outcome-unknown}.
 */
class StarterLeasedHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new StarterHarness(
        LeasedApplication.class,
        "tck_leased",
        EnumSet.of(
            HttpAdapterHarness.Capability.STORE_OUTAGE,
            HttpAdapterHarness.Capability.IN_FLIGHT_CONFLICT,
            HttpAdapterHarness.Capability.WAITING_ROUTE));
  }

  /** The application: the contract's handlers and the store they are guarded with. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(LeasedHandlers.class)
  static class LeasedApplication {
    @Bean
    OutageStore idempotencyStore(DataSource dataSource) {
      return new OutageStore(JdbcIdempotencyStore.builder(dataSource).build());
    }
  }

  /**
   * Every method of every path under /required, /optional and /waiting; POST and PATCH are guarded.
   */
  @RestController
  static class LeasedHandlers {
    private final ContractApplication contract;

    LeasedHandlers(ContractApplication contract) {
      this.contract = contract;
    }

    @RequestMapping("/required/**")
    @Idempotent(name = "required")
    ResponseEntity<byte[]> required(HttpServletRequest request) throws IOException {
      return StarterHarness.answer(contract, request);
    }

    @RequestMapping("/optional/**")
    @Idempotent(name = "optional", required = false)
    ResponseEntity<byte[]> optional(HttpServletRequest request) throws IOException {
      return StarterHarness.answer(contract, request);
    }

    @RequestMapping("/waiting/**")
    @Idempotent(name = "waiting", waitForInFlight = "30s")
    ResponseEntity<byte[]> waiting(HttpServletRequest request) throws IOException {
      return StarterHarness.answer(contract, request);
    }
  }
}
