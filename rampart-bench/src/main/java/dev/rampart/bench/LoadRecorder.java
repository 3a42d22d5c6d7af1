package dev.rampart.bench;

import dev.rampart.bench.internal.FailureKind;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Counts and histograms of one run. Only measured requests (those after the warm-up ramp) are
 * counted. Times are {@link System#nanoTime()} values passed in by the caller. Not thread-safe:
 * the run's event loop owns it.
 */
final class LoadRecorder {

  private final long windowStartNanos;
  private final long windowNanos;
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

  /** The measured window starts at {@code windowStartNanos} and lasts {@code windowNanos}. */
  LoadRecorder(long windowStartNanos, long windowNanos) {
    if (windowNanos <= 0) {
      throw new IllegalArgumentException("windowNanos: " + windowNanos + " (expected: > 0)");
    }
    this.windowStartNanos = windowStartNanos;
    this.windowNanos = windowNanos;
  }

  /**
   * A request intended for {@code intendedNanos} became due at the tick of {@code nowNanos}: it
   * now counts as sent (it may still wait for a connection).
   */
  void onDue(boolean measured, long intendedNanos, long nowNanos) {
    if (!measured) {
      return;
    }
    sent++;
    maxSendLagNanos = Math.max(maxSendLagNanos, nowNanos - intendedNanos);
  }

  /** A whole response arrived at {@code doneNanos}; the request had got a connection at {@code connectedNanos}. */
  void onResponse(boolean measured, long intendedNanos, long connectedNanos, long doneNanos, int status) {
    if (!measured) {
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

  /** A request ended without a response. */
  void onFailure(boolean measured, FailureKind kind) {
    if (!measured) {
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
    long spanNanos = windowNanos;
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
