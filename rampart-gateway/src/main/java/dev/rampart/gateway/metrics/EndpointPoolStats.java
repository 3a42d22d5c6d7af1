package dev.rampart.gateway.metrics;

import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live counts of one endpoint's connection pool in one upstream's HTTP client, fed by Vert.x's metrics SPI: open
 * connections, connections carrying a request, and requests waiting for a connection. Outlives the pool objects
 * Vert.x creates and disposes for the endpoint over time, so the counts stay continuous.
 */
final class EndpointPoolStats implements ClientMetrics<Void, HttpRequest, HttpResponse>, PoolMetrics<Void, Void> {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();

    int open() {
        return open.get();
    }

    /** Requests written and not yet answered in full: with HTTP/1.1 (no pipelining), connections in use. */
    int busy() {
        return busy.get();
    }

    int waiting() {
        return waiting.get();
    }

    void connected() {
        open.incrementAndGet();
    }

    void disconnected() {
        open.decrementAndGet();
    }

    // ---- ClientMetrics: Vert.x reports each request exactly once as ended or reset -------------------------------

    @Override
    public Void requestBegin(String uri, HttpRequest request) {
        busy.incrementAndGet();
        return null;
    }

    @Override
    public void responseEnd(Void requestMetric, long bytesRead) {
        busy.decrementAndGet();
    }

    @Override
    public void requestReset(Void requestMetric) {
        busy.decrementAndGet();
    }

    // ---- PoolMetrics: every request asks the pool for a lease, waiting until it gets one or gives up ------------

    @Override
    public Void enqueue() {
        waiting.incrementAndGet();
        return null;
    }

    @Override
    public void dequeue(Void queueMetric) {
        waiting.decrementAndGet();
    }

    @Override
    public void close() {
        // Vert.x closes an endpoint's metrics when it disposes the idle pool; the counts live on for the next one
    }
}
