package dev.rampart.core.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Active health-check state of one endpoint: starts healthy; unhealthy after {@code unhealthyThreshold} failed checks
 * in a row; healthy again after {@code healthyThreshold} passes in a row.
 *
 * <p>Thread-safe without a lock: the state and the run of results against it are one atomic int, so a result is
 * never counted towards a state it arrived too late for. {@link #healthy()} is a plain volatile read.
 */
public final class HealthState {
    /** Set while unhealthy; the bits below count the results in a row that argue for the other state. */
    private static final int UNHEALTHY = 1 << 30;
    private static final int RUN = UNHEALTHY - 1;

    private final int healthyThreshold;
    private final int unhealthyThreshold;
    private final AtomicInteger state = new AtomicInteger(); // healthy, no run

    /**
     * @param healthyThreshold   passes in a row that bring an unhealthy endpoint back, 1..2^30-1
     * @param unhealthyThreshold failures in a row that take a healthy endpoint out, 1..2^30-1
     */
    public HealthState(int healthyThreshold, int unhealthyThreshold) {
        if (healthyThreshold < 1 || healthyThreshold > RUN) {
            throw new IllegalArgumentException("healthyThreshold: " + healthyThreshold + " (expected: 1.." + RUN + ")");
        }
        if (unhealthyThreshold < 1 || unhealthyThreshold > RUN) {
            throw new IllegalArgumentException(
                    "unhealthyThreshold: " + unhealthyThreshold + " (expected: 1.." + RUN + ")");
        }
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
    }

    /** Returns true when this result changed the state (made the endpoint healthy). */
    public boolean recordPass() {
        return record(false);
    }

    /** Returns true when this result changed the state (made the endpoint unhealthy). */
    public boolean recordFail() {
        return record(true);
    }

    private boolean record(boolean failed) {
        for (;;) {
            int current = state.get();
            boolean unhealthy = (current & UNHEALTHY) != 0;
            int next;
            boolean changes = false;
            if (failed == unhealthy) {
                next = current & UNHEALTHY; // agrees with the state: breaks any run against it
            } else {
                int run = (current & RUN) + 1;
                changes = run >= (unhealthy ? healthyThreshold : unhealthyThreshold);
                next = changes ? (current & UNHEALTHY) ^ UNHEALTHY : (current & UNHEALTHY) | run;
            }
            if (next == current || state.compareAndSet(current, next)) {
                return changes;
            }
        }
    }

    public boolean healthy() {
        return (state.get() & UNHEALTHY) == 0;
    }

    /** Results in a row, so far, towards the other state: passes while unhealthy, failures while healthy. */
    public int run() {
        return state.get() & RUN;
    }

    public int healthyThreshold() {
        return healthyThreshold;
    }

    public int unhealthyThreshold() {
        return unhealthyThreshold;
    }

    @Override
    public String toString() {
        return "HealthState[" + (healthy() ? "healthy" : "unhealthy") + ", run=" + run() + ']';
    }
}
