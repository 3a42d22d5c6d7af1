package dev.rampart.core.config;

import java.util.Objects;

/**
 * The most requests in flight at once; one more is refused at once (503) rather than queued.
 *
 * @param kind     a fixed limit, or an adaptive one that follows the measured latency
 * @param limit    the limit when fixed; the starting limit when adaptive
 * @param minLimit the lowest an adaptive limit goes (equal to {@code limit} when fixed)
 * @param maxLimit the highest an adaptive limit goes (equal to {@code limit} when fixed)
 */
public record ConcurrencyLimitConfig(Kind kind, int limit, int minLimit, int maxLimit) {
    public static final int MAX_LIMIT = 100_000;
    public static final int DEFAULT_INITIAL = 20;
    public static final int DEFAULT_MIN = 1;
    public static final int DEFAULT_MAX = 1000;

    public ConcurrencyLimitConfig {
        Objects.requireNonNull(kind, "kind");
    }

    /** A limit that does not move. */
    public static ConcurrencyLimitConfig fixed(int limit) {
        return new ConcurrencyLimitConfig(Kind.FIXED, limit, limit, limit);
    }

    /** How the limit is set. */
    public enum Kind {
        /** The limit as written. */
        FIXED("fixed"),
        /** Adaptive: follows the gradient between the long-term and the current round-trip time. */
        GRADIENT2("gradient2"),
        /** Adaptive: TCP Vegas applied to requests, from the queue the latency implies. */
        VEGAS("vegas");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public boolean adaptive() {
            return this != FIXED;
        }
    }
}
