package dev.rampart.bench;

import dev.rampart.bench.internal.FailureKind;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Counts and histograms of one run. Only requests whose intended send time falls in the
 * measurement window {@code [windowStart, windowEnd)} are counted; warm-up traffic is not.
 * Times are {@link System#nanoTime()} values passed in by the caller. Not thread-safe: the
 * run's event loop owns it.
 */
final class LoadRecorder {

  private final long windowStartNanos;
  private final long windowEndNanos;
  private final Histogram latencyMicros = new Histogram(3);
  private final Histogram serviceTimeMicros = new Histogram(3);

  private long sent;
  private long completed;
  private long lastResponseNanos;
  private long timeouts;
  private long connectErrors;
  private long statusErrors;
  private long otherErrors;
  private long maxSendLagNanos;

  LoadRecorder(long windowStartNanos, long windowEndNanos) {
    if (windowEndNanos - windowStartNanos <= 0) {
      throw new IllegalArgumentException("window: [" + windowStartNanos + ", " + windowEndNanos
          + ") (expected: end after start)");
    }
    this.windowStartNanos = windowStartNanos;
    this.windowEndNanos = windowEndNanos;
  }

  private boolean inWindow(long nanos) {
    return nanos - windowStartNanos >= 0 && nanos - windowEndNanos < 0;
  }

  /** A request intended for {@code intendedNanos} was handed to the client at {@code nowNanos}. */
  void onSent(long intendedNanos, long nowNanos) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    sent++;
    maxSendLagNanos = Math.max(maxSendLagNanos, nowNanos - intendedNanos);
  }

  /** A whole response arrived at {@code doneNanos}; the request had got a connection at {@code connectedNanos}. */
  void onResponse(long intendedNanos, long connectedNanos, long doneNanos, int status) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    completed++;
    lastResponseNanos = completed == 1 ? doneNanos : Math.max(lastResponseNanos, doneNanos);
    if (status < 200 || status > 299) {
      statusErrors++;
    }
    latencyMicros.recordValue(toMicros(doneNanos - intendedNanos));
    serviceTimeMicros.recordValue(toMicros(doneNanos - connectedNanos));
  }

  /** A request intended for {@code intendedNanos} ended without a response. */
  void onFailure(long intendedNanos, FailureKind kind) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    switch (kind) {
      case TIMEOUT -> timeouts++;
      case CONNECT -> connectErrors++;
      case OTHER -> otherErrors++;
    }
  }

  /**
   * The report so far. Requests still outstanding when it is taken (the run gave up waiting
   * for them) are counted as timeouts, so that every sent request is accounted for.
   */
  LoadReport report(OpenLoopLoad.Options options) {
    long outstanding = sent - completed - timeouts - connectErrors - otherErrors;
    // Responses per second, over the window or, if the responses ran late, until the last one:
    // a server (or generator) that falls behind shows a rate below the target. Responses to
    // warm-up requests are left out, so catching up a warm-up backlog does not inflate it.
    long spanNanos = windowEndNanos - windowStartNanos;
    if (completed > 0) {
      spanNanos = Math.max(spanNanos, lastResponseNanos - windowStartNanos);
    }
    return new LoadReport(
        options,
        sent,
        completed,
        new LoadReport.Errors(timeouts + Math.max(0, outstanding), connectErrors, statusErrors, otherErrors),
        completed / (spanNanos / 1e9),
        LoadReport.Latency.of(latencyMicros),
        LoadReport.Latency.of(serviceTimeMicros),
        TimeUnit.NANOSECONDS.toMicros(maxSendLagNanos));
  }

  private static long toMicros(long nanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos));
  }
}
