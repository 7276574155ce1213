package dev.idempo.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class RabbitMqServerTest {
  @Test
  void twoServersRunSideBySideAndStopWithTheirErlangVms() {
    RabbitMqServer shared = RabbitMqServer.shared();
    try (RabbitMqServer own = RabbitMqServer.start()) {
      assertTrue(shared.answers(shared.port()));
      assertTrue(own.answers(own.port()));
      assertFalse(shared.nodeName().equals(own.nodeName()));
      assertEquals("127.0.0.1", own.host());
      assertTrue(own.uri().startsWith("amqp://guest:guest@127.0.0.1:" + own.port()));
      assertEquals(1, beams(own).size(), "one Erlang VM for the server");

      own.stop();
      assertFalse(own.isRunning());
      assertEquals(List.of(), beams(own), "the Erlang VM stopped with it");
      assertFalse(Files.exists(own.directory()));
      assertTrue(shared.answers(shared.port()), "the other server is untouched");
    }
  }

  @Test
  void aKilledServerRestartsOnItsPortWithItsData() {
    try (RabbitMqServer own = RabbitMqServer.start()) {
      int port = own.port();
      own.kill();
      assertFalse(own.answers(port));
      own.restart();
      assertEquals(port, own.port());
      assertTrue(own.answers(port));
    }
  }

  private static List<ProcessHandle> beams(RabbitMqServer server) {
    String marker = server.directory().toString();
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            process ->
                process
                    .info()
                    .commandLine()
                    .map(line -> line.contains("beam") && line.contains(marker))
                    .orElse(false))
        .toList();
  }
}
