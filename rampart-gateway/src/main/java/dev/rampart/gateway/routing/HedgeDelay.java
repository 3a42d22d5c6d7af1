package dev.rampart.gateway.routing;

import dev.rampart.core.config.HedgeConfig;

/**
 * How long a route waits for a response before it sends a hedge: a fixed delay, or the route's measured p95 (kept
 * fresh by the gateway from its latency window), never below the configured floor.
 */
public final class HedgeDelay {
    private final long fixedNanos; // -1: follow the p95
    private final long floorNanos;
    private volatile long measuredP95Nanos = -1;

    HedgeDelay(HedgeConfig config) {
        this.fixedNanos = config.delay() == null ? -1 : config.delay().toNanos();
        this.floorNanos = config.minDelay() == null ? 0 : config.minDelay().toNanos();
    }

    public boolean followsP95() {
        return fixedNanos < 0;
    }

    /** The route's p95 over the last minute; ignored for a fixed delay. */
    public void p95(long nanos) {
        measuredP95Nanos = nanos;
    }

    /** The delay now; before any p95 is known, the floor. */
    public long nanos() {
        if (fixedNanos >= 0) {
            return fixedNanos;
        }
        return Math.max(floorNanos, measuredP95Nanos);
    }
}
