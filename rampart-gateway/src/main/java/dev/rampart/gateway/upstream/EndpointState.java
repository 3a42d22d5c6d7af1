package dev.rampart.gateway.upstream;

import dev.rampart.core.config.Endpoint;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of an upstream: its live request count (which least-request balancing reads), its circuit breaker and
 * what its active health checks last found.
 */
public final class EndpointState {
    private final Endpoint endpoint;
    private final String label;
    private final int index;
    private final EndpointBreaker breaker; // null: breakers are off for this upstream
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean healthy = true;
    private final java.util.concurrent.atomic.AtomicLong ejections = new java.util.concurrent.atomic.AtomicLong();

    EndpointState(Endpoint endpoint) {
        this(endpoint, 0, null);
    }

    EndpointState(Endpoint endpoint, int index, EndpointBreaker breaker) {
        this.endpoint = endpoint;
        this.label = endpoint.toString();
        this.index = index;
        this.breaker = breaker;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** {@code http://host:port}, for logs. */
    public String label() {
        return label;
    }

    /** Its position in the upstream's endpoint list. */
    public int index() {
        return index;
    }

    /** The endpoint's circuit breaker, or null when the upstream has none. */
    public EndpointBreaker breaker() {
        return breaker;
    }

    /** False while active health checks find it failing; always true without health checks. */
    public boolean healthy() {
        return healthy;
    }

    void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** Times outlier detection has ejected it. */
    public long ejectionsTotal() {
        return ejections.get();
    }

    void ejected() {
        ejections.incrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestFinished() {
        inFlight.decrementAndGet();
    }
}
