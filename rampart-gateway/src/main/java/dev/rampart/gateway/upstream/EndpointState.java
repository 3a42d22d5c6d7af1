package dev.rampart.gateway.upstream;

import dev.rampart.core.config.Endpoint;
import io.vertx.core.http.HttpConnection;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of an upstream: its live request count (which least-request balancing reads), its connection pool's
 * use, its circuit breaker and what its active health checks last found.
 */
public final class EndpointState {
    private final Endpoint endpoint;
    private final String label;
    private final int index;
    private final EndpointBreaker breaker; // null: breakers are off for this upstream
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Requests holding a pooled connection (HTTP/1.1: one per connection). */
    private final AtomicInteger busy = new AtomicInteger();
    /** Connections of the pool that have carried a request and not closed since. */
    private final AtomicInteger open = new AtomicInteger();
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

    /** Connections open to this endpoint that have carried a request (an opened one counts from its first request). */
    public int openConnections() {
        return open.get();
    }

    /** Connections carrying a request now. */
    public int busyConnections() {
        return busy.get();
    }

    /** Requests counted in flight that have no connection yet: queued in the pool, or waiting for a connect. */
    public int waitingRequests() {
        return Math.max(0, inFlight.get() - busy.get());
    }

    /**
     * A request to this endpoint got {@code connection} from the pool: it is busy until {@link #released()}, and a
     * connection used for the first time counts as open until it closes.
     *
     * @return whether the connection was opened for this request
     */
    public boolean leased(HttpConnection connection) {
        busy.incrementAndGet();
        boolean fresh = UpstreamCluster.takeFreshMark(connection);
        if (fresh) {
            open.incrementAndGet();
            connection.closeHandler(v -> open.decrementAndGet());
        }
        return fresh;
    }

    /** The request that {@link #leased} a connection is done with it. */
    public void released() {
        busy.decrementAndGet();
    }
}
