package dev.rampart.demo.internal;

import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * What a demo service does with one request, decided from its knobs before anything is done.
 *
 * @param delayMillis  wait this long first
 * @param fault        then misbehave this way, or answer normally
 * @param forcedStatus the status of a {@link Fault#FORCED_STATUS} answer; 0 otherwise
 */
public record FaultPlan(long delayMillis, Fault fault, int forcedStatus) {

    /** How a request is misbehaved on; when several knobs apply, the first in this order wins. */
    public enum Fault {
        /** Close the connection with a TCP reset, answering nothing. */
        RESET,
        /** Keep the connection open and never answer. */
        HANG,
        /** Answer 500 with a JSON error (from {@code error-every} or {@code error-rate}). */
        INJECTED_ERROR,
        /** Answer with the status of the {@code status} knob. */
        FORCED_STATUS,
        /** Answer normally. */
        NONE
    }

    public FaultPlan {
        Objects.requireNonNull(fault, "fault");
    }

    /**
     * Decides from the knobs in force.
     *
     * @param ordinal this request's number among those counted for {@code error-every} (1 for the first)
     * @param random  values in {@code [0, 1)}, for latency ranges and {@code error-rate}
     */
    public static FaultPlan decide(Knobs knobs, long ordinal, DoubleSupplier random) {
        long delay = knobs.latency() == null ? 0 : knobs.latency().pickMillis(random);
        if (Boolean.TRUE.equals(knobs.reset())) {
            return new FaultPlan(delay, Fault.RESET, 0);
        }
        if (Boolean.TRUE.equals(knobs.hang())) {
            return new FaultPlan(delay, Fault.HANG, 0);
        }
        boolean everyNth = knobs.countsRequests() && ordinal % knobs.errorEvery() == 0;
        boolean byRate = knobs.errorRate() != null && knobs.errorRate() > 0 && random.getAsDouble() < knobs.errorRate();
        if (everyNth || byRate) {
            return new FaultPlan(delay, Fault.INJECTED_ERROR, 0);
        }
        if (knobs.status() != null) {
            return new FaultPlan(delay, Fault.FORCED_STATUS, knobs.status());
        }
        return new FaultPlan(delay, Fault.NONE, 0);
    }
}
