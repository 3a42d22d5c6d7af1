package dev.rampart.gateway.resilience;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.rampart.core.config.ConcurrencyLimitConfig;

import java.util.Optional;

/**
 * A concurrency limit in front of a route or an upstream (Netflix concurrency-limits): fixed, or adaptive (Gradient2,
 * Vegas) from the latencies it sees. A request over the limit is refused at once, never queued. When some route that
 * uses the limit is critical, other routes may fill only part of it, so critical traffic is shed last.
 */
public final class LoadShedder {
    /** The share of the limit non-critical requests may use when critical routes share it. */
    static final double NON_CRITICAL_SHARE = 0.8;

    private final String name;
    private final SimpleLimiter<Void> limiter;
    private volatile boolean reserveForCritical;

    public LoadShedder(String name, ConcurrencyLimitConfig config, boolean reserveForCritical) {
        this.name = name;
        this.reserveForCritical = reserveForCritical;
        this.limiter = SimpleLimiter.newBuilder().named(name).limit(limit(config)).build();
    }

    static Limit limit(ConcurrencyLimitConfig config) {
        return switch (config.kind()) {
            case FIXED -> FixedLimit.of(config.limit());
            case GRADIENT2 -> Gradient2Limit.newBuilder().initialLimit(config.limit()).minLimit(config.minLimit())
                    .maxConcurrency(config.maxLimit()).build();
            // Vegas has no lower bound of its own; it never goes below 1
            case VEGAS -> VegasLimit.newBuilder().initialLimit(config.limit()).maxConcurrency(config.maxLimit())
                    .build();
        };
    }

    /** A permit to be completed exactly once, or null when the request must be shed. */
    public Limiter.Listener tryAcquire(boolean critical) {
        if (!critical && reserveForCritical
                && limiter.getInflight() >= Math.max(1, (int) (limiter.getLimit() * NON_CRITICAL_SHARE))) {
            return null;
        }
        Optional<Limiter.Listener> permit = limiter.acquire(null);
        return permit.orElse(null);
    }

    public void reserveForCritical(boolean reserve) {
        this.reserveForCritical = reserve;
    }

    public String name() {
        return name;
    }

    public int limit() {
        return limiter.getLimit();
    }

    public int inFlight() {
        return limiter.getInflight();
    }
}
