package dev.rampart.core.resilience;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS architecture blog): sleep = random(0, min(cap, base * 2^(retry-1))).
 *
 * <p>Immutable and thread-safe; the randomness is passed in, so a test can seed it.
 */
public final class Backoff {
    private final long baseNanos;
    private final long capNanos;
    private final boolean jitter;

    /**
     * @param baseNanos the delay before the first retry (the ceiling of its jitter), &gt; 0
     * @param capNanos  the longest delay, &ge; {@code baseNanos}
     * @param jitter    whether a delay is drawn uniformly from [0, ceiling] rather than being the ceiling
     */
    public Backoff(long baseNanos, long capNanos, boolean jitter) {
        if (baseNanos <= 0) {
            throw new IllegalArgumentException("baseNanos: " + baseNanos + " (expected: > 0)");
        }
        if (capNanos < baseNanos) {
            throw new IllegalArgumentException("capNanos: " + capNanos + " (expected: >= baseNanos " + baseNanos + ")");
        }
        this.baseNanos = baseNanos;
        this.capNanos = capNanos;
        this.jitter = jitter;
    }

    /**
     * Delay before retry number {@code retry} (1 = first retry). Without jitter: min(cap, base*2^(retry-1)).
     * Overflow-safe for any retry &ge; 1; retry &lt; 1 is IllegalArgumentException. With jitter uniform in [0, that],
     * both ends included.
     */
    public long delayNanos(int retry, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        long ceiling = ceilingNanos(retry);
        if (!jitter) {
            return ceiling;
        }
        // nextLong(bound) excludes the bound; the one ceiling with no representable bound above it draws 63 bits
        return ceiling == Long.MAX_VALUE ? random.nextLong() >>> 1 : random.nextLong(ceiling + 1);
    }

    /** The delay before retry number {@code retry} without jitter, which is the most a jittered delay can be. */
    public long ceilingNanos(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry: " + retry + " (expected: >= 1)");
        }
        int doublings = retry - 1;
        // base * 2^d <= cap exactly when base <= cap >> d (cap >> 63 is 0 and base > 0, so no shift wraps)
        if (doublings >= Long.SIZE - 1 || baseNanos > capNanos >> doublings) {
            return capNanos;
        }
        return baseNanos << doublings;
    }

    public long baseNanos() {
        return baseNanos;
    }

    public long capNanos() {
        return capNanos;
    }

    public boolean jitter() {
        return jitter;
    }

    @Override
    public String toString() {
        return "Backoff[baseNanos=" + baseNanos + ", capNanos=" + capNanos + ", jitter=" + jitter + ']';
    }
}
