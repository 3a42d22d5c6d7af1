package dev.rampart.bench.internal;

/**
 * The fixed send schedule of an open-loop run: a linear ramp from 0 to the target rate over the
 * warm-up, then the target rate held for the measured window. Request {@code i}'s intended time
 * depends only on {@code i}, whatever happened to the requests before it.
 *
 * <p>The ramp lets the generator's own JIT warm up before it runs at full rate: started cold at
 * full rate, a JVM generator falls behind, its backlog fills the heap and the GC pauses that
 * follow make it fall further behind.
 *
 * <p>Pure bookkeeping: the caller passes the current time in, so the schedule is tested without
 * sleeping. Not thread-safe; one event loop owns it.
 */
public final class SendSchedule {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;
  private static final long TWO_SECONDS_NANOS = 2_000_000_000L;

  private final long startNanos;
  private final int ratePerSecond;
  private final long rampNanos;
  private final double intervalNanos;
  private final long rampCount;
  private final long total;
  private long next;

  /**
   * @param startNanos    start of the ramp, on the {@link System#nanoTime()} scale
   * @param ratePerSecond target rate, at least 1
   * @param rampNanos     length of the ramp from 0 to the target rate (0: none)
   * @param holdNanos     how long the target rate is then held
   */
  public SendSchedule(long startNanos, int ratePerSecond, long rampNanos, long holdNanos) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: >= 1)");
    }
    if (rampNanos < 0) {
      throw new IllegalArgumentException("rampNanos: " + rampNanos + " (expected: >= 0)");
    }
    if (holdNanos < 0) {
      throw new IllegalArgumentException("holdNanos: " + holdNanos + " (expected: >= 0)");
    }
    this.startNanos = startNanos;
    this.ratePerSecond = ratePerSecond;
    this.rampNanos = rampNanos;
    this.intervalNanos = NANOS_PER_SECOND / ratePerSecond;
    // During the ramp the rate is R·t/W, so N(t) = R·t²/(2W) and N(W) = R·W/2; request i is in
    // the ramp if i < R·W/2. Integer maths, so that e.g. 1 s at 3/s is exactly 3 requests.
    this.rampCount = ceilDiv(ratePerSecond * rampNanos, TWO_SECONDS_NANOS);
    this.total = ceilDiv(ratePerSecond * rampNanos + 2 * ratePerSecond * holdNanos, TWO_SECONDS_NANOS);
    this.next = 0;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** Intended send time of request {@code index}. */
  public long intendedNanos(long index) {
    if (index < rampCount) {
      // inverse of N(t) = R·t²/(2W)
      return startNanos + (long) Math.sqrt(2.0 * rampNanos * index * NANOS_PER_SECOND / ratePerSecond);
    }
    // after the ramp: t = W + (i - R·W/2) / R = W/2 + i / R
    return startNanos + (long) Math.ceil(rampNanos / 2.0 + index * intervalNanos);
  }

  /** True for requests after the ramp: the ones that are measured. */
  public boolean isMeasured(long index) {
    return index >= rampCount;
  }

  /** True if the next request's intended time is at or before {@code nowNanos}. */
  public boolean isDue(long nowNanos) {
    return next < total && intendedNanos(next) - nowNanos <= 0;
  }

  /** Index of the next request to hand out. */
  public long nextIndex() {
    return next;
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

  /** How many requests the whole schedule holds, ramp included. */
  public long total() {
    return total;
  }

  /** How many of them are in the ramp. */
  public long rampCount() {
    return rampCount;
  }
}
