package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations in messages and logs, written as the command line takes them. */
class DurationTextTest {

  @ParameterizedTest
  @CsvSource({"30000,30s", "86400000,1d", "250,250ms", "5400000,90m"})
  void durationsFormatInTheLargestUnit(long millis, String text) {
    assertEquals(text, DurationText.format(Duration.ofMillis(millis)));
  }
}
