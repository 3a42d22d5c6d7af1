package dev.rampart.gateway.upstream;

import dev.rampart.core.config.Endpoint;

import java.util.concurrent.atomic.AtomicInteger;

/** One endpoint of an upstream with its live request count, which least-request balancing reads. */
public final class EndpointState {
    private final Endpoint endpoint;
    private final String label;
    private final AtomicInteger inFlight = new AtomicInteger();

    EndpointState(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.label = endpoint.toString();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** {@code http://host:port}, for logs. */
    public String label() {
        return label;
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
