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
  @Test
  void aConnectionClosedBeforeAnyByteWasWrittenMaySendAgain() {
    assertTrue(new UpstreamFailure(FailureKind.NOT_SENT, new EOFException("closed")).isConnectionClosedBeforeSending());
    assertTrue(new UpstreamFailure(FailureKind.NOT_SENT, new ClosedChannelException()).isConnectionClosedBeforeSending());
    assertTrue(new UpstreamFailure(FailureKind.NOT_SENT, new IOException("Broken pipe")).isConnectionClosedBeforeSending());
  }

  @Test
  void aRequestWrittenRefusedTimedOutOrFailedLocallyIsNeverSentAgain() {
    assertFalse(new UpstreamFailure(FailureKind.CONNECTION_LOST, new EOFException()).isConnectionClosedBeforeSending(),
        "written, then closed: the upstream may have acted");
    assertFalse(new UpstreamFailure(FailureKind.NOT_SENT, new ConnectException("refused")).isConnectionClosedBeforeSending());
    assertFalse(new UpstreamFailure(FailureKind.NOT_SENT, new IOException(new ConnectException("refused")))
        .isConnectionClosedBeforeSending());
    assertFalse(new UpstreamFailure(FailureKind.NOT_SENT, new TimeoutException()).isConnectionClosedBeforeSending());
    assertFalse(new UpstreamFailure(FailureKind.NOT_SENT, new IllegalArgumentException("Request header too large"))
        .isConnectionClosedBeforeSending());
  }
}
