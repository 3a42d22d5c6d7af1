package dev.rampart.gateway.upstream;

import dev.rampart.core.config.UpstreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A named upstream: its endpoints, how one is picked, and the HTTP client whose pools (one per endpoint) carry the
 * traffic. Immutable once built; a config reload that leaves an upstream unchanged keeps its cluster and pools.
 */
public final class UpstreamCluster {
    private final UpstreamConfig config;
    private final List<EndpointState> endpoints;
    private final EndpointPicker picker;
    private final HttpClient client;
    private final long connectTimeoutMillis;

    public UpstreamCluster(Vertx vertx, UpstreamConfig config, long connectTimeoutMillis) {
        this.config = config;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.endpoints = config.endpoints().stream().map(EndpointState::new).toList();
        this.picker = EndpointPicker.of(config.loadBalancing(), endpoints);
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setPipelining(false)
                .setConnectTimeout((int) connectTimeoutMillis)
                .setKeepAliveTimeout((int) Math.max(1, config.pool().idleTimeout().toSeconds()))
                .setIdleTimeout(0) // per-exchange timers own idleness; see ExchangeTimers
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setMaxHeaderSize(64 * 1024)
                .setTrustAll(!config.tlsVerify())
                .setVerifyHost(config.tlsVerify());
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(config.pool().maxConnections())
                .setMaxWaitQueueSize(config.pool().maxWaiting());
        this.client = vertx.httpClientBuilder().with(options).with(pool)
                .withConnectHandler(UpstreamCluster::markFresh)
                .build();
    }

    public UpstreamConfig config() {
        return config;
    }

    /** The TCP connect timeout of this cluster's client: the longest of the routes that use it. */
    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public String name() {
        return config.name();
    }

    public List<EndpointState> endpoints() {
        return endpoints;
    }

    public EndpointState pick() {
        return picker.pick();
    }

    public HttpClient client() {
        return client;
    }

    private static final AttributeKey<Boolean> FRESH = AttributeKey.valueOf("rampart.fresh-connection");

    private static void markFresh(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            base.channel().attr(FRESH).set(Boolean.TRUE);
        }
    }

    /**
     * Whether this connection was opened for the request now using it (and not reused from the pool); true only
     * for the first request that asks, so connect time and queue time can be told apart.
     */
    public static boolean takeFreshMark(HttpConnection connection) {
        return connection instanceof ConnectionBase base && base.channel().attr(FRESH).getAndSet(null) != null;
    }

    /** Lets requests in flight finish (bounded), then closes every pooled connection. */
    public Future<Void> shutdown(long timeoutMillis) {
        return client.shutdown(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
