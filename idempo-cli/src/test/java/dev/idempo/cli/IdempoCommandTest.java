package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IdempoCommandTest {

  @Test
  void demoPrintsBothRunsAndSucceeds() {
    Output output = capture(() -> IdempoCommand.run("demo", "--charges", "100", "--seed", "7"));

    assertEquals(0, output.exitCode, output.err);
    assertTrue(output.out.contains("without Idempo"), output.out);
    assertTrue(output.out.contains("with Idempo"), output.out);
    assertTrue(output.out.contains("seed 7"), output.out);
  }

  @Test
  void aBadFlagIsAOneLineErrorAndANonZeroExit() {
    Output output = capture(() -> IdempoCommand.run("demo", "--charges", "0"));

    assertEquals(2, output.exitCode);
    assertTrue(output.err.contains("charges must be between 1 and 1000000, was 0"), output.err);
  }

  private record Output(int exitCode, String out, String err) {}

  private static Output capture(java.util.function.IntSupplier command) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = command.getAsInt();
      return new Output(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
