package dev.idempo.cli.demo.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps a number of payments consumers of one group running, as an orchestrator would: a member the
 * chaos killed is replaced by a new one, which joins the group and takes over partitions.
 *
 * <p>Members are started on the fleet's own thread, in a thread group that swallows {@link
 * SimulatedCrash}: a consumer thread the chaos kills ends quietly instead of printing a stack
 * trace. Other failures are printed as usual. Thread-safe.
 */
final class ConsumerFleet implements AutoCloseable {
  /** One consumer instance. */
  interface Member {
    /** Starts consuming on a thread of its own. */
    void start();

    /** True once the chaos killed it. */
    boolean crashed();

    /** Stops it (a live one cleanly; a killed one only has its resources released). */
    void close();
  }

  private final int size;
  private final Supplier<Member> factory;
  private final List<Member> live = new ArrayList<>();
  private final List<Member> killed = new ArrayList<>();
  private final CountDownLatch started = new CountDownLatch(1);
  private volatile boolean closing;
  private volatile RuntimeException startFailure;
  private Thread supervisor;

  ConsumerFleet(int size, Supplier<Member> factory) {
    this.size = size;
    this.factory = factory;
  }

  /**
   * Starts the members and returns once they are started.
   *
   * @throws IllegalStateException if a member could not be created or started
   */
  void start() {
    ThreadGroup group =
        new ThreadGroup("idempo-demo-consumers") {
          @Override
          public void uncaughtException(Thread thread, Throwable failure) {
            if (!(failure instanceof SimulatedCrash)) {
              super.uncaughtException(thread, failure);
            }
          }
        };
    supervisor = new Thread(group, this::supervise, "idempo-demo-consumer-fleet");
    supervisor.setDaemon(true);
    supervisor.start();
    try {
      started.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (startFailure != null) {
      throw new IllegalStateException(
          "the payments consumers did not start: " + startFailure, startFailure);
    }
  }

  private void supervise() {
    try {
      synchronized (this) {
        for (int i = 0; i < size; i++) {
          Member member = factory.get();
          member.start();
          live.add(member);
        }
      }
    } catch (RuntimeException e) {
      startFailure = e;
      return;
    } finally {
      started.countDown();
    }
    while (!closing) {
      synchronized (this) {
        for (int i = 0; i < live.size() && !closing; i++) {
          if (live.get(i).crashed()) {
            killed.add(live.get(i));
            Member replacement = factory.get();
            replacement.start();
            live.set(i, replacement);
          }
        }
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops every member, killed ones last. */
  @Override
  public void close() {
    closing = true;
    if (supervisor != null) {
      supervisor.interrupt();
      try {
        supervisor.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      live.forEach(Member::close);
      killed.forEach(Member::close);
      live.clear();
      killed.clear();
    }
  }
}
