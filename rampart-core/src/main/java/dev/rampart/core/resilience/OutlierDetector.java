package dev.rampart.core.resilience;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Passive outlier detection for the endpoints (indexes 0..n-1) of one upstream.
 *
 * <p><b>Ejection.</b> After {@code consecutiveFailures} gateway failures in a row an endpoint is ejected for
 * baseEjection x its multiplier (the ejection count, this one included), capped at maxEjection: 30 s, 60 s, 90 s, ...
 * 300 s with the defaults. The multiplier itself stops growing once an ejection reaches maxEjection, so that it decays
 * from there in a bounded time. An ejection is refused while floor(maxEjectedRatio x n) endpoints are already
 * ejected, and never takes out the last endpoint that is not; a refused endpoint keeps its failure count, so its next
 * failure tries again. Failures reported while an endpoint is ejected (requests that were already in flight) are not
 * counted.
 *
 * <p><b>Decay</b>, as Envoy's: each full baseEjection period an endpoint spends back in the rotation (counted from the
 * end of its ejection, or from its early return) lowers its multiplier by one, not below 0. It is computed when
 * asked, so no timer runs.
 *
 * <p><b>Threads.</b> {@link #isEjected} and {@link #recordSuccess}, called per request, take no lock and write
 * nothing in the common case (a success writes only when it breaks a run of failures). A failure takes a lock only
 * when it reaches the threshold, so that two endpoints cannot both take the last place the ratio allows.
 */
public final class OutlierDetector {
    /** {@link #ejectedUntil} of an endpoint not ejected; an ejection that would end at exactly 0 ends 1 ns later. */
    private static final long NOT_EJECTED = 0;

    private final int endpoints;
    private final int consecutiveFailures;
    private final long baseEjectionNanos;
    private final long maxEjectionNanos;
    private final double maxEjectedRatio;
    /** floor(maxEjectedRatio x n), and always fewer than n. */
    private final int maxEjected;
    /** The multiplier at which an ejection first lasts maxEjection. */
    private final int maxMultiplier;

    private final AtomicIntegerArray failuresInARow;
    private final AtomicLongArray ejectedUntil;
    private final Object lock = new Object();
    /** Guarded by lock: the multiplier as of the endpoint's last ejection or early return. */
    private final int[] multiplier;
    /** Guarded by lock: when the endpoint's last ejection ended (or it returned early); decay counts from there. */
    private final long[] backSince;

    /**
     * @param endpoints           the endpoints of the upstream, &ge; 1
     * @param consecutiveFailures failures in a row that eject an endpoint, &ge; 1
     * @param baseEjectionNanos   the first ejection's length, &gt; 0
     * @param maxEjectionNanos    the longest ejection, &ge; baseEjectionNanos
     * @param maxEjectedRatio     the largest share of endpoints ejected at once, 0..1
     */
    public OutlierDetector(int endpoints, int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos,
                           double maxEjectedRatio) {
        if (endpoints < 1) {
            throw new IllegalArgumentException("endpoints: " + endpoints + " (expected: >= 1)");
        }
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutiveFailures: " + consecutiveFailures + " (expected: >= 1)");
        }
        if (baseEjectionNanos <= 0) {
            throw new IllegalArgumentException("baseEjectionNanos: " + baseEjectionNanos + " (expected: > 0)");
        }
        if (maxEjectionNanos < baseEjectionNanos) {
            throw new IllegalArgumentException("maxEjectionNanos: " + maxEjectionNanos
                    + " (expected: >= baseEjectionNanos " + baseEjectionNanos + ")");
        }
        if (!(maxEjectedRatio >= 0 && maxEjectedRatio <= 1)) { // also rejects NaN
            throw new IllegalArgumentException("maxEjectedRatio: " + maxEjectedRatio + " (expected: 0..1)");
        }
        this.endpoints = endpoints;
        this.consecutiveFailures = consecutiveFailures;
        this.baseEjectionNanos = baseEjectionNanos;
        this.maxEjectionNanos = maxEjectionNanos;
        this.maxEjectedRatio = maxEjectedRatio;
        // the epsilon keeps 0.29 x 100 (28.999999999999996 in doubles) at 29
        int byRatio = (int) Math.floor(maxEjectedRatio * endpoints + 1e-9);
        this.maxEjected = Math.min(byRatio, endpoints - 1);
        long toMax = maxEjectionNanos / baseEjectionNanos + (maxEjectionNanos % baseEjectionNanos == 0 ? 0 : 1);
        this.maxMultiplier = (int) Math.min(toMax, Integer.MAX_VALUE);
        this.failuresInARow = new AtomicIntegerArray(endpoints);
        this.ejectedUntil = new AtomicLongArray(endpoints);
        this.multiplier = new int[endpoints];
        this.backSince = new long[endpoints];
    }

    /**
     * A gateway failure (connect failure, reset, timeout, 502/503/504) from the endpoint. Returns true when this
     * failure ejected it: after {@code consecutiveFailures} in a row, for baseEjection x (number of times it has been
     * ejected, including this one, less decay), capped at maxEjection, but only if fewer than floor(maxEjectedRatio
     * x n) endpoints are ejected at that moment, and never the last un-ejected endpoint.
     */
    public boolean recordFailure(int endpoint, long nowNanos) {
        if (maxEjected == 0 || isEjected(endpoint, nowNanos)) {
            return false;
        }
        if (failuresInARow.incrementAndGet(endpoint) < consecutiveFailures) {
            return false;
        }
        synchronized (lock) {
            if (isEjected(endpoint, nowNanos) || failuresInARow.get(endpoint) < consecutiveFailures) {
                return false; // ejected by another thread meanwhile, or a success came between
            }
            if (ejectedCount(nowNanos) >= maxEjected) {
                // no room: keep the count at the threshold (not past it, so that it cannot overflow), unless a
                // success has just reset it
                failuresInARow.accumulateAndGet(endpoint, consecutiveFailures, Math::min);
                return false;
            }
            int times = Math.min(decayedMultiplier(endpoint, nowNanos) + 1, maxMultiplier);
            long duration = times > maxEjectionNanos / baseEjectionNanos ? maxEjectionNanos : baseEjectionNanos * times;
            long until = nowNanos + duration;
            multiplier[endpoint] = times;
            backSince[endpoint] = until;
            ejectedUntil.set(endpoint, until == NOT_EJECTED ? until + 1 : until);
            failuresInARow.set(endpoint, 0);
            return true;
        }
    }

    /** Any success resets the consecutive count. */
    public void recordSuccess(int endpoint) {
        if (failuresInARow.get(endpoint) != 0) { // reading first spares the cache line a write per request
            failuresInARow.set(endpoint, 0);
        }
    }

    /** Whether the endpoint is out of the rotation now; an ejection ends by itself when its time is up. */
    public boolean isEjected(int endpoint, long nowNanos) {
        long until = ejectedUntil.get(endpoint);
        return until != NOT_EJECTED && nowNanos - until < 0;
    }

    /**
     * When the endpoint's current or most recent ejection ends (in the past once it has ended); 0 if it was never
     * ejected or its last ejection ended early.
     */
    public long ejectedUntilNanos(int endpoint) {
        return ejectedUntil.get(endpoint);
    }

    /**
     * The multiplier as of the endpoint's last ejection or early return: the number its ejections have reached,
     * without the decay since. {@link #ejectionCount(int, long)} applies the decay.
     */
    public int ejectionCount(int endpoint) {
        synchronized (lock) {
            return multiplier[endpoint];
        }
    }

    /**
     * The multiplier at {@code nowNanos}: the next ejection lasts baseEjection x (this + 1), capped. It drops by one
     * for each full baseEjection period the endpoint has spent back in the rotation.
     */
    public int ejectionCount(int endpoint, long nowNanos) {
        synchronized (lock) {
            return decayedMultiplier(endpoint, nowNanos);
        }
    }

    private int decayedMultiplier(int endpoint, long nowNanos) {
        int times = multiplier[endpoint];
        if (times == 0 || isEjected(endpoint, nowNanos)) {
            return times;
        }
        long back = nowNanos - backSince[endpoint];
        if (back <= 0) {
            return times;
        }
        return (int) Math.max(0, times - back / baseEjectionNanos);
    }

    /** The endpoints ejected at {@code nowNanos}. */
    public int ejectedCount(long nowNanos) {
        int count = 0;
        for (int i = 0; i < endpoints; i++) {
            if (isEjected(i, nowNanos)) {
                count++;
            }
        }
        return count;
    }

    /**
     * A passing active health check brings an ejected endpoint back at once (the multiplier is kept, and decays from
     * now). Returns true if it was ejected.
     */
    public boolean returnEarly(int endpoint, long nowNanos) {
        synchronized (lock) {
            if (!isEjected(endpoint, nowNanos)) {
                return false;
            }
            ejectedUntil.set(endpoint, NOT_EJECTED);
            backSince[endpoint] = nowNanos;
            failuresInARow.set(endpoint, 0);
            return true;
        }
    }

    public int endpoints() {
        return endpoints;
    }

    /** How many endpoints may be ejected at once: floor(maxEjectedRatio x n), and never all of them. */
    public int maxEjected() {
        return maxEjected;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public long baseEjectionNanos() {
        return baseEjectionNanos;
    }

    public long maxEjectionNanos() {
        return maxEjectionNanos;
    }

    public double maxEjectedRatio() {
        return maxEjectedRatio;
    }

    @Override
    public String toString() {
        return "OutlierDetector[endpoints=" + endpoints + ", consecutiveFailures=" + consecutiveFailures
                + ", baseEjectionNanos=" + baseEjectionNanos + ", maxEjectionNanos=" + maxEjectionNanos
                + ", maxEjectedRatio=" + maxEjectedRatio + ']';
    }
}
