package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdempoCommandTest {

  @Test
  void demoPrintsBothRunsAndSucceeds() {
    CommandRun output = CommandRun.of("demo", "--charges", "100", "--seed", "7");

    assertEquals(0, output.exitCode(), output.err());
    assertTrue(output.out().contains("without Idempo"), output.out());
    assertTrue(output.out().contains("with Idempo"), output.out());
    assertTrue(output.out().contains("seed 7"), output.out());
  }

  @Test
  void aBadFlagIsAOneLineErrorAndANonZeroExit() {
    CommandRun output = CommandRun.of("demo", "--charges", "0");

    assertEquals(2, output.exitCode());
    assertTrue(output.err().contains("charges must be between 1 and 1000000, was 0"), output.err());
  }
}
