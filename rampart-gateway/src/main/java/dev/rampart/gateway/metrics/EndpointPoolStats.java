package dev.rampart.gateway.metrics;

import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counts of one endpoint's connection pool in one upstream's HTTP client, fed by Vert.x's metrics SPI: open
 * connections, connections carrying a request, and requests waiting for a connection. Outlives the pool objects
 * Vert.x creates and disposes for the endpoint over time, so the counts stay continuous. Adders rather than atomics:
 * every event loop changes them on every request, and they are read only when scraped.
 */
final class EndpointPoolStats implements ClientMetrics<Void, HttpRequest, HttpResponse>, PoolMetrics<Void, Void> {
    private final LongAdder open = new LongAdder();
    private final LongAdder busy = new LongAdder();
    private final LongAdder waiting = new LongAdder();

    int open() {
        return open.intValue();
    }

    /** Requests written and not yet answered in full: with HTTP/1.1 (no pipelining), connections in use. */
    int busy() {
        return busy.intValue();
    }

    int waiting() {
        return waiting.intValue();
    }

    void connected() {
        open.increment();
    }

    void disconnected() {
        open.decrement();
    }

    // ---- ClientMetrics: Vert.x reports each request exactly once as ended or reset -------------------------------

    @Override
    public Void requestBegin(String uri, HttpRequest request) {
        busy.increment();
        return null;
    }

    @Override
    public void responseEnd(Void requestMetric, long bytesRead) {
        busy.decrement();
    }

    @Override
    public void requestReset(Void requestMetric) {
        busy.decrement();
    }

    // ---- PoolMetrics: every request asks the pool for a lease, waiting until it gets one or gives up ------------

    @Override
    public Void enqueue() {
        waiting.increment();
        return null;
    }

    @Override
    public void dequeue(Void queueMetric) {
        waiting.decrement();
    }

    @Override
    public void close() {
        // Vert.x closes an endpoint's metrics when it disposes the idle pool; the counts live on for the next one
    }
}
