package dev.rampart.gateway.metrics;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.concurrent.ConcurrentHashMap;

/** The pool counts of one HTTP client (one upstream cluster), per endpoint address it has talked to. */
final class UpstreamClientStats implements HttpClientMetrics<Void, Void, Void> {
    private record Address(String host, int port) {
    }

    private final VertxPoolObserver observer;
    private final ConcurrentHashMap<Address, EndpointPoolStats> endpoints = new ConcurrentHashMap<>();

    UpstreamClientStats(VertxPoolObserver observer) {
        this.observer = observer;
    }

    /** The counts for an endpoint, or null before its first request. */
    EndpointPoolStats endpoint(String host, int port) {
        return endpoints.get(new Address(host, port));
    }

    @Override
    public ClientMetrics<Void, HttpRequest, HttpResponse> createEndpointMetrics(SocketAddress remoteAddress,
                                                                               int maxPoolSize) {
        EndpointPoolStats stats = endpoints.computeIfAbsent(new Address(remoteAddress.host(), remoteAddress.port()),
                address -> new EndpointPoolStats());
        observer.endpointPoolCreated(remoteAddress.toString(), stats);
        return stats;
    }

    @Override
    public void endpointConnected(ClientMetrics<Void, ?, ?> endpointMetric) {
        ((EndpointPoolStats) endpointMetric).connected();
    }

    @Override
    public void endpointDisconnected(ClientMetrics<Void, ?, ?> endpointMetric) {
        ((EndpointPoolStats) endpointMetric).disconnected();
    }
}
