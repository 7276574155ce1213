package dev.idempo.webhooks;

import dev.idempo.jdbc.JdbcIdempotencyStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * A receiver process for {@link HandlerKilledTest}: receives one Stripe event on a SQLite file and,
 * inside the handler (after its write, in transactional mode), prints {@link #INSIDE} and waits to
 * be killed.
 */
public final class CrashChild {
  static final String INSIDE = "inside the handler";

  private CrashChild() {}

  /** Arguments: database file, {@code leased} or {@code transactional}, event id. */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    boolean transactional = args[1].equals("transactional");
    String eventId = args[2];
    var dataSource = Databases.sqlite(file);
    JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource).build();
    CountDownLatch never = new CountDownLatch(1);
    WebhookReceiver.Builder builder = WebhookReceiver.builder(store);
    if (transactional) {
      builder.transactionalEndpoint(
          StripeDeliveries.PATH,
          StripeDeliveries.verifier(),
          dataSource,
          (event, connection) -> {
            try (PreparedStatement insert =
                connection.prepareStatement("INSERT INTO payments VALUES (?)")) {
              insert.setString(1, event.id());
              insert.executeUpdate();
            }
            System.out.println(INSIDE);
            System.out.flush();
            never.await();
          });
    } else {
      builder.endpoint(
          StripeDeliveries.PATH,
          StripeDeliveries.verifier(),
          event -> {
            System.out.println(INSIDE);
            System.out.flush();
            never.await();
          });
    }
    builder.build().receive(StripeDeliveries.signed(eventId, Instant.now()));
    System.out.println("the handler returned: the test expected to kill it first");
  }
}
