package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MessagingDemoCommandTest {

  @Test
  void demoHelpListsTheMessagingDemo() {
    CommandRun run = CommandRun.of("demo", "--help");

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("--charges"), run.out());
    assertTrue(run.out().contains("messaging"), run.out());
  }

  @Test
  void tooFewOrdersAreRefusedByName() {
    CommandRun run = CommandRun.of("demo", "messaging", "--orders", "5");

    assertEquals(2, run.exitCode(), run.out());
    assertTrue(run.err().contains("orders must be between 10"), run.err());
  }
}
