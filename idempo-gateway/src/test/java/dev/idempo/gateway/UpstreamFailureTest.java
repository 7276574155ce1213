package dev.idempo.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.gateway.UpstreamExchange.FailureKind;
import dev.idempo.gateway.UpstreamExchange.UpstreamFailure;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures may be sent again: only a connection closed before a byte was written. */
class UpstreamFailureTest {
  private static boolean mayResend(FailureKind kind, Throwable cause) {
    return new UpstreamFailure(kind, cause).isConnectionClosedBeforeSending();
  }

  @Test
  void aConnectionClosedBeforeAnyByteWasWrittenMaySendAgain() {
    assertTrue(mayResend(FailureKind.NOT_SENT, new EOFException("closed")));
    assertTrue(mayResend(FailureKind.NOT_SENT, new ClosedChannelException()));
    assertTrue(mayResend(FailureKind.NOT_SENT, new IOException("Broken pipe")));
  }

  @Test
  void aRequestWrittenRefusedTimedOutOrFailedLocallyIsNeverSentAgain() {
    assertFalse(
        mayResend(FailureKind.CONNECTION_LOST, new EOFException()),
        "written, then closed: the upstream may have acted");
    assertFalse(mayResend(FailureKind.NOT_SENT, new ConnectException("refused")));
    assertFalse(mayResend(FailureKind.NOT_SENT, new IOException(new ConnectException("refused"))));
    assertFalse(mayResend(FailureKind.NOT_SENT, new TimeoutException()));
    assertFalse(
        mayResend(FailureKind.NOT_SENT, new IllegalArgumentException("Request header too large")));
  }
}
