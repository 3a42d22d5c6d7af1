package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Faults injected into a route on purpose, to rehearse how clients and the gateway cope (a chaos drill).
 *
 * @param delay  requests held back before they are sent upstream; {@code null} = none
 * @param abort  requests answered at once without the upstream; {@code null} = none
 * @param header when set, only requests carrying this header (name in lower case) are eligible; {@code null} = all
 */
public record FaultConfig(DelayFault delay, AbortFault abort, String header) {

    /**
     * @param min   the shortest delay
     * @param max   the longest delay, drawn uniformly between the two; equal to {@code min} for a fixed delay
     * @param ratio share (0..1) of eligible requests delayed
     */
    public record DelayFault(Duration min, Duration max, double ratio) {
        public static final Duration MAX_DELAY = Duration.ofMinutes(5);

        public DelayFault {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
        }
    }

    /**
     * @param status the status answered; {@link #RESET} = the client connection is reset instead
     * @param ratio  share (0..1) of eligible requests aborted
     */
    public record AbortFault(int status, double ratio) {
        public static final int RESET = 0;

        public boolean resetsConnection() {
            return status == RESET;
        }
    }
}
