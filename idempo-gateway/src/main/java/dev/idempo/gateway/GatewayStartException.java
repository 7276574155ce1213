package dev.idempo.gateway;

import dev.idempo.IdempotencyException;

/**
 * The gateway could not start: its port is in use, its store cannot be reached, or its upstream
 * client failed to start. The message is one line saying which and why; nothing was left running.
 */
public class GatewayStartException extends IdempotencyException {
  private static final long serialVersionUID = 1L;

  public GatewayStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
