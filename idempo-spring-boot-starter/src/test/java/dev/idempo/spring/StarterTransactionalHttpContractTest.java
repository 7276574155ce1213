package dev.idempo.spring;

import dev.idempo.http.tck.ContractApplication;
import dev.idempo.http.tck.HttpAdapterHarness;
import dev.idempo.http.tck.HttpContract;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.EnumSet;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP contract through {@code @Idempotent(transactional = true)} handlers on PostgreSQL: the
 * key's row and the stored result commit in the handler's transaction, so a duplicate of a running
 * request waits on the row's lock and replays (never 409). The transactional store is the starter's
 * own, not a bean, so the rows that take the store down do not apply. A handler that throws rolls
 * its transaction back with the key: the first caller gets Spring's 500, a retry runs again. The
 * stored result lives in the key's row whole: {@code idempo.max-response-body-size} does not apply,
 * and an answer over it is replayed rather than replaced by {@code response-too-large}.
 */
class StarterTransactionalHttpContractTest extends HttpContract {

  @Override
  protected HttpAdapterHarness createHarness() {
    return new StarterHarness(
        TransactionalApplication.class,
        "tck_transactional",
        EnumSet.of(
            HttpAdapterHarness.Capability.IN_FLIGHT_WAIT,
            HttpAdapterHarness.Capability.ROLLS_BACK_FAILED_RUNS,
            HttpAdapterHarness.Capability.STORES_ANY_RESPONSE_SIZE));
  }

  /** The application: the contract's handlers, on the application's DataSource. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(TransactionalHandlers.class)
  static class TransactionalApplication {}

  /** Every method of every path under /required and /optional; POST and PATCH are guarded. */
  @RestController
  static class TransactionalHandlers {
    private final ContractApplication contract;

    TransactionalHandlers(ContractApplication contract) {
      this.contract = contract;
    }

    @RequestMapping("/required/**")
    @Idempotent(name = "required", transactional = true)
    public ResponseEntity<byte[]> required(HttpServletRequest request) throws IOException {
      return StarterHarness.answer(contract, request);
    }

    @RequestMapping("/optional/**")
    @Idempotent(name = "optional", required = false, transactional = true)
    public ResponseEntity<byte[]> optional(HttpServletRequest request) throws IOException {
      return StarterHarness.answer(contract, request);
    }
  }
}
