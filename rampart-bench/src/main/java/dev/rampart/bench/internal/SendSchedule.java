package dev.rampart.bench.internal;

/**
 * The fixed send schedule of an open-loop run: request {@code i} is intended for
 * {@code start + i / rate}, whatever happened to the requests before it.
 *
 * <p>Pure bookkeeping: the caller passes the current time in, so the schedule is tested
 * without sleeping. Not thread-safe; one event loop owns it.
 */
public final class ConstantRateSchedule {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  private final long startNanos;
  private final double intervalNanos;
  private final long total;
  private long next;

  /**
   * @param startNanos    intended time of the first request, on the {@link System#nanoTime()} scale
   * @param ratePerSecond requests per second, at least 1
   * @param lengthNanos   length of the schedule; no request is intended at or after its end
   */
  public ConstantRateSchedule(long startNanos, int ratePerSecond, long lengthNanos) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: >= 1)");
    }
    if (lengthNanos < 0) {
      throw new IllegalArgumentException("lengthNanos: " + lengthNanos + " (expected: >= 0)");
    }
    this.startNanos = startNanos;
    this.intervalNanos = NANOS_PER_SECOND / ratePerSecond;
    // ceil(length / interval), computed in integers so that e.g. 1 s at 3/s is exactly 3
    this.total = (lengthNanos * ratePerSecond + 999_999_999L) / 1_000_000_000L;
    this.next = 0;
  }

  /** Intended send time of request {@code index}. */
  public long intendedNanos(long index) {
    return startNanos + (long) (index * intervalNanos);
  }

  /** True if the next request's intended time is at or before {@code nowNanos}. */
  public boolean isDue(long nowNanos) {
    return next < total && intendedNanos(next) - nowNanos <= 0;
  }

  /** Hands out the next request and returns its intended send time. */
  public long take() {
    if (next >= total) {
      throw new IllegalStateException("schedule exhausted after " + total + " requests");
    }
    return intendedNanos(next++);
  }

  /** True once every request of the schedule has been handed out. */
  public boolean isExhausted() {
    return next >= total;
  }

  /** How many requests the whole schedule holds. */
  public long total() {
    return total;
  }
}
