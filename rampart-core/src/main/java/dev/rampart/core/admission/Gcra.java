package dev.rampart.core.admission;

/**
 * GCRA (generic cell rate algorithm, as in Stripe's/Brandur's "throttled"): a rate of {@code count} per
 * {@code periodNanos} with a burst. State is one long, the theoretical arrival time (TAT).
 *
 * <p>Each request of cost {@code c} moves the TAT {@code c} emission intervals ({@code T}) later, starting from now
 * when the TAT is in the past. A request is allowed when, after it, the TAT is at most {@code burst * T} ahead of
 * now: so {@code burst} requests fit at once, and then one more every {@code T}. In any half-open window of one
 * period at most {@code count + burst - 1} requests are allowed, and never more than {@code count} when
 * {@code burst} is 1; over a long run, never more than {@code count} per period.
 *
 * <p>Times are {@link System#nanoTime()} readings: only their differences matter. All arithmetic is on the distance
 * between the TAT and now, which is never negative and never more than {@code burst * T} once stored, so nothing
 * overflows. Time that goes backwards (another thread's slightly older reading) only makes a decision stricter: the
 * stored TAT never moves earlier, so it cannot admit more than the rate allows.
 *
 * <p>Immutable and thread-safe; {@link #decide} allocates nothing but its result.
 */
public final class Gcra {
    /** The TAT to pass when none is stored yet (a full bucket). {@link Decision#newTat()} of an allowed request is never this value. */
    public static final long NO_TAT = Long.MIN_VALUE;

    private final long count;
    private final long periodNanos;
    private final long burst;
    private final long emissionIntervalNanos;
    /** How far ahead of now the TAT may be after an allowed request: burst x T (tolerance plus one interval). */
    private final long limitNanos;

    /**
     * @param count       requests allowed per period, &ge; 1 and at most one per nanosecond of the period
     * @param periodNanos the period, &ge; 1 ns
     * @param burst       requests that may arrive at once, &ge; 1; {@code burst} emission intervals must fit in a long
     *                    (292 years)
     */
    public Gcra(long count, long periodNanos, long burst) {
        if (periodNanos < 1) {
            throw new IllegalArgumentException("periodNanos: " + periodNanos + " (expected: >= 1)");
        }
        if (count < 1 || count > periodNanos) {
            throw new IllegalArgumentException(
                    "count: " + count + " (expected: 1.." + periodNanos + ", at most one per nanosecond of the period)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        this.count = count;
        this.periodNanos = periodNanos;
        this.burst = burst;
        // Rounded up: a shorter interval would let more than count requests through in a period.
        this.emissionIntervalNanos = periodNanos / count + (periodNanos % count == 0 ? 0 : 1);
        if (burst > Long.MAX_VALUE / emissionIntervalNanos) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: at most "
                    + Long.MAX_VALUE / emissionIntervalNanos + " for " + count + " per " + periodNanos + " ns)");
        }
        this.limitNanos = emissionIntervalNanos * burst;
    }

    /** The time one request takes from the rate: {@code periodNanos / count}, rounded up. */
    public long emissionIntervalNanos() {
        return emissionIntervalNanos;
    }

    /** How far the TAT may run ahead of now before a request: {@code emissionInterval * (burst - 1)}. */
    public long burstToleranceNanos() {
        return limitNanos - emissionIntervalNanos;
    }

    /**
     * Decides one request costing {@code cost} given the stored TAT ({@link #NO_TAT} when none is stored). Pure: the
     * caller stores {@link Decision#newTat()} when allowed.
     *
     * <p>A request costing more than {@code burst} can never be allowed: it is refused with
     * {@code retryAfterNanos == Long.MAX_VALUE}.
     *
     * @param cost the request's weight, &ge; 1
     */
    public Decision decide(long tatNanos, long nowNanos, int cost) {
        if (cost < 1) {
            throw new IllegalArgumentException("cost: " + cost + " (expected: >= 1)");
        }
        // How far the stored TAT is ahead of now; a TAT in the past is a full bucket.
        long ahead = tatNanos == NO_TAT ? 0 : Math.max(0, tatNanos - nowNanos);
        long remainingNow = ahead >= limitNanos ? 0 : (limitNanos - ahead) / emissionIntervalNanos;
        if (cost > burst) {
            return new Decision(false, tatNanos, remainingNow, ahead, Long.MAX_VALUE);
        }
        long increment = cost * emissionIntervalNanos; // <= limitNanos: no overflow
        long room = limitNanos - increment;
        if (ahead > room) {
            return new Decision(false, tatNanos, remainingNow, ahead, ahead - room);
        }
        long newAhead = ahead + increment;
        long newTat = nowNanos + newAhead;
        if (newTat == NO_TAT) {
            newTat++; // one nanosecond stricter, so that a stored TAT never reads as "none"
        }
        return new Decision(true, newTat, (limitNanos - newAhead) / emissionIntervalNanos, newAhead, 0);
    }

    /**
     * One decision.
     *
     * @param allowed         whether the request may pass
     * @param newTat          the TAT to store (the unchanged input when refused)
     * @param remaining       requests of cost 1 still allowed right now after this one (&ge; 0)
     * @param resetNanos      time until the bucket is full again, the limit fully restored (&ge; 0)
     * @param retryAfterNanos when refused, the wait until this request would be allowed ({@code Long.MAX_VALUE} when it
     *                        never would: its cost exceeds the burst); 0 when allowed
     */
    public record Decision(boolean allowed, long newTat, long remaining, long resetNanos, long retryAfterNanos) {
    }

    /** Requests allowed per period. */
    public long count() {
        return count;
    }

    public long periodNanos() {
        return periodNanos;
    }

    /** Requests that may arrive at once. */
    public long burst() {
        return burst;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gcra other
                && count == other.count && periodNanos == other.periodNanos && burst == other.burst;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 961 + Long.hashCode(periodNanos) * 31 + Long.hashCode(burst);
    }

    @Override
    public String toString() {
        return "Gcra[" + count + " per " + periodNanos + " ns, burst " + burst + "]";
    }
}
