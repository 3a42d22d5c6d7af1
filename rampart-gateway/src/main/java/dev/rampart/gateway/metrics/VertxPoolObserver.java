package dev.rampart.gateway.metrics;

import dev.rampart.gateway.tracing.Tracing;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Rampart's hook into Vert.x's metrics SPI: it observes only HTTP client connection pools (every other kind of
 * metrics object stays null, so servers, workers and the event bus run exactly as without metrics).
 */
final class VertxPoolObserver implements VertxMetrics, VertxMetricsFactory {
    private record PendingPool(String name, EndpointPoolStats stats) {
    }

    /**
     * Vert.x builds an endpoint's client metrics and then, on the same thread and with the address as the name,
     * its pool metrics; this carries the one to the other.
     */
    private final ThreadLocal<PendingPool> pending = new ThreadLocal<>();

    @Override
    public VertxMetrics metrics(VertxOptions options) {
        return this;
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
        if (Tracing.OTLP_CLIENT_METRICS_NAME.equals(options.getMetricsName())) {
            return null; // the trace collector is not an upstream
        }
        return new UpstreamClientStats(this);
    }

    void endpointPoolCreated(String name, EndpointPoolStats stats) {
        pending.set(new PendingPool(name, stats));
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
        if (!"http".equals(type)) {
            return null;
        }
        PendingPool pool = pending.get();
        pending.remove();
        return pool != null && pool.name().equals(name) ? pool.stats() : null;
    }
}
