package dev.rampart.demo.internal;

import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * What a demo service does with one request, decided from its knobs before anything is done.
 *
 * @param delayMillis wait this long first
 * @param fault       then misbehave this way, or answer normally
 * @param status      the status of an {@link Fault#INJECTED_ERROR} or {@link Fault#FORCED_STATUS} answer; 0 otherwise
 */
public record FaultPlan(long delayMillis, Fault fault, int status) {

    /** How a request is misbehaved on; when several knobs apply, the first in this order wins. */
    public enum Fault {
        /** Close the connection with a TCP reset, answering nothing ({@code reset}, {@code reset-rate}). */
        RESET,
        /** Keep the connection open and never answer ({@code hang}, {@code hang-rate}). */
        HANG,
        /** Answer with a JSON error ({@code error-every}, {@code error-rate}; status from {@code error-status}). */
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
     * Decides from the knobs in force. The rate knobs share one draw, each taking its own slice of it in the order
     * reset-rate, hang-rate, error-rate, so that their shares add up: {@code hang-rate 0.25} and {@code error-rate
     * 0.25} fail half the requests, never one request twice.
     *
     * @param ordinal this request's number among those counted for {@code error-every} (1 for the first)
     * @param random  values in {@code [0, 1)}, for latency ranges and the rate knobs
     */
    public static FaultPlan decide(Knobs knobs, long ordinal, DoubleSupplier random) {
        long delay = knobs.latency() == null ? 0 : knobs.latency().pickMillis(random);
        double draw = knobs.drawsFaults() ? random.getAsDouble() : 1.0;
        double resetShare = share(knobs.resetRate());
        double hangShare = resetShare + share(knobs.hangRate());
        double errorShare = hangShare + share(knobs.errorRate());
        if (Boolean.TRUE.equals(knobs.reset()) || draw < resetShare) {
            return new FaultPlan(delay, Fault.RESET, 0);
        }
        if (Boolean.TRUE.equals(knobs.hang()) || draw < hangShare) {
            return new FaultPlan(delay, Fault.HANG, 0);
        }
        boolean everyNth = knobs.countsRequests() && ordinal % knobs.errorEvery() == 0;
        if (everyNth || draw < errorShare) {
            return new FaultPlan(delay, Fault.INJECTED_ERROR, knobs.injectedErrorStatus());
        }
        if (knobs.status() != null) {
            return new FaultPlan(delay, Fault.FORCED_STATUS, knobs.status());
        }
        return new FaultPlan(delay, Fault.NONE, 0);
    }

    private static double share(Double rate) {
        return rate == null ? 0 : rate;
    }
}
