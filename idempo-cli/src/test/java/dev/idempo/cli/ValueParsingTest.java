package dev.idempo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Sizes and durations as the flags take them. */
class ValueParsingTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
    "0,0",
    "4096,4096",
    "10MiB,10485760",
    "512KiB,524288",
    "1MB,1000000",
    "2kb,2000",
    "1GiB,1073741824",
    "3 B,3",
    "7GB,7000000000"
  })
  void sizes(String text, long bytes) {
    assertEquals(bytes, ByteSize.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MiB", "-1", "1.5MiB", "10 parsecs", "99999999999999GiB"})
  void badSizesAreRefusedNamingTheText(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
    assertTrue(e.getMessage().contains(text), e.getMessage());
  }

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "250ms,250",
    "30s,30000",
    "5m,300000",
    "24h,86400000",
    "2d,172800000",
    "0,0",
    "0ms,0"
  })
  void durations(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), DurationText.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "s", "1.5s", "-1s", "30sec", "soon"})
  void badDurationsAreRefusedNamingTheText(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"10485760,10MiB", "1000000,1000000B", "2048,2KiB", "0,0B"})
  void sizesFormatInTheLargestBinaryUnit(long bytes, String text) {
    assertEquals(text, ByteSize.format(bytes));
  }
}
