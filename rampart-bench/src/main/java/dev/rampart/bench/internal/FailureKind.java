package dev.rampart.bench.internal;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** Why a request produced no response, as counted in the load report. */
public enum FailureKind {
  /** No response within the request timeout (including time spent waiting for a pooled connection). */
  TIMEOUT,
  /** The TCP connection could not be opened (refused, unreachable, connect timeout). */
  CONNECT,
  /** Anything else: connection reset or closed mid-response, protocol errors. */
  OTHER;

  /** Classifies the cause with which a request's future failed. */
  public static FailureKind of(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      // netty's ConnectTimeoutException is a ConnectException: check it before timeouts
      if (t instanceof ConnectException) {
        return CONNECT;
      }
      if (t instanceof TimeoutException) {
        return TIMEOUT;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return OTHER;
  }
}
