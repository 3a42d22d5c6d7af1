package dev.rampart.gateway.upstream;

import dev.rampart.core.config.OutlierDetectionConfig;
import dev.rampart.core.config.RetryBudgetConfig;
import dev.rampart.core.config.UpstreamConfig;
import dev.rampart.core.resilience.OutlierDetector;
import dev.rampart.core.resilience.RetryBudget;
import dev.rampart.gateway.resilience.LoadShedder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A named upstream: its endpoints, how one is picked among those available (healthy, not ejected, breaker closed),
 * the HTTP client whose pools (one per endpoint) carry the traffic, and the upstream's retry budget and outlier
 * detector. A config reload that leaves an upstream unchanged keeps its cluster, pools and resilience state.
 */
public final class UpstreamCluster {
    private static final Logger log = LoggerFactory.getLogger(UpstreamCluster.class);

    private final UpstreamConfig config;
    private final List<EndpointState> endpoints;
    private final EndpointState[] endpointArray;
    private final EndpointPicker picker;
    private final HttpClient client;
    private final long connectTimeoutMillis;
    private final OutlierDetector outliers; // null: outlier detection is off
    private final RetryBudget retryBudget;
    private final boolean budgetEnforced;
    private final HealthChecker healthChecker; // null: no active health checks
    private final LoadShedder shedder; // null: no concurrency limit on the upstream
    private volatile boolean servesCritical;

    public UpstreamCluster(Vertx vertx, UpstreamConfig config, long connectTimeoutMillis) {
        this(vertx, config, connectTimeoutMillis, false);
    }

    /** @param servesCritical whether a critical route uses this upstream (its concurrency limit then keeps room) */
    public UpstreamCluster(Vertx vertx, UpstreamConfig config, long connectTimeoutMillis, boolean servesCritical) {
        this.config = config;
        this.servesCritical = servesCritical;
        this.shedder = config.concurrencyLimit() == null ? null
                : new LoadShedder("upstream " + config.name(), config.concurrencyLimit(), servesCritical);
        this.connectTimeoutMillis = connectTimeoutMillis;
        List<EndpointState> states = new ArrayList<>();
        for (int i = 0; i < config.endpoints().size(); i++) {
            var endpoint = config.endpoints().get(i);
            EndpointBreaker breaker = config.circuitBreaker().enabled()
                    ? new EndpointBreaker(config.name(), endpoint.toString(), config.circuitBreaker()) : null;
            states.add(new EndpointState(endpoint, i, breaker));
        }
        this.endpoints = List.copyOf(states);
        this.endpointArray = states.toArray(EndpointState[]::new);
        this.picker = EndpointPicker.of(config.loadBalancing(), endpoints);
        OutlierDetectionConfig outlier = config.outlierDetection();
        this.outliers = outlier.enabled() ? new OutlierDetector(endpoints.size(), outlier.consecutiveFailures(),
                outlier.baseEjection().toNanos(), outlier.maxEjection().toNanos(), outlier.maxEjectedRatio()) : null;
        RetryBudgetConfig budget = config.retryBudget();
        // counted even when not enforced: the amplification it measures is reported either way
        this.retryBudget = new RetryBudget(budget.ratio(), budget.minRetriesPerSecond(), budget.window().toNanos());
        this.budgetEnforced = budget.enabled();
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
        if (config.healthCheck() != null) {
            this.healthChecker = new HealthChecker(vertx, config.name(), config.healthCheck(), endpoints,
                    config.tlsVerify(), this::healthCheckPassed);
            healthChecker.start();
        } else {
            this.healthChecker = null;
        }
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

    /** The balancer's choice among all endpoints, whatever their state. */
    public EndpointState pick() {
        return picker.pick();
    }

    /**
     * An endpoint that may take a request now — healthy, not ejected, and its breaker lets the call through (the
     * permission is taken: hand it back with {@link EndpointBreaker#release} if the endpoint ends up unused) — other
     * than {@code avoid} when another is available; null when none is.
     */
    public EndpointState pickAvailable(EndpointState avoid, long nowNanos) {
        EndpointState first = picker.pick();
        if (first != avoid && admits(first, nowNanos)) {
            return first;
        }
        int n = endpointArray.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            EndpointState candidate = endpointArray[(start + i) % n];
            if (candidate != first && candidate != avoid && admits(candidate, nowNanos)) {
                return candidate;
            }
        }
        if (avoid != null && admits(avoid, nowNanos)) {
            return avoid; // the only one left: better the same endpoint again than none
        }
        return null;
    }

    private boolean admits(EndpointState endpoint, long nowNanos) {
        if (!endpoint.healthy() || outliers != null && outliers.isEjected(endpoint.index(), nowNanos)) {
            return false;
        }
        return endpoint.breaker() == null || endpoint.breaker().tryAcquire();
    }

    /** Whether some endpoint was refused only by its open breaker (then the answer is "circuit open"). */
    public boolean anyBreakerOpen() {
        for (EndpointState endpoint : endpointArray) {
            if (endpoint.breaker() != null && endpoint.breaker().isOpen()) {
                return true;
            }
        }
        return false;
    }

    /** The shortest time until an open breaker of this upstream lets a probe through; 0 if none is open. */
    public long breakerRetryAfterNanos(long nowNanos) {
        long soonest = Long.MAX_VALUE;
        for (EndpointState endpoint : endpointArray) {
            if (endpoint.breaker() != null && endpoint.breaker().isOpen()) {
                soonest = Math.min(soonest, endpoint.breaker().retryAfterNanos(nowNanos));
            }
        }
        return soonest == Long.MAX_VALUE ? 0 : soonest;
    }

    /**
     * The outcome of one call to an endpoint, for its breaker and outlier detection.
     *
     * @param gatewayFailure a connect failure, reset, timeout or 502/503/504: counts towards outlier ejection
     * @param failure        any failure the breaker counts (gateway failures and other 5xx answers)
     */
    public void recordOutcome(EndpointState endpoint, boolean failure, boolean gatewayFailure, long durationNanos,
                              long nowNanos) {
        if (endpoint.breaker() != null) {
            if (failure) {
                endpoint.breaker().onFailure(durationNanos);
            } else {
                endpoint.breaker().onSuccess(durationNanos);
            }
        }
        if (outliers == null) {
            return;
        }
        if (!gatewayFailure) {
            outliers.recordSuccess(endpoint.index());
        } else if (outliers.recordFailure(endpoint.index(), nowNanos)) {
            endpoint.ejected();
            log.atWarn().addKeyValue("upstream", config.name()).addKeyValue("endpoint", endpoint.label())
                    .addKeyValue("ejections", outliers.ejectionCount(endpoint.index()))
                    .addKeyValue("ejected_for_ms", (outliers.ejectedUntilNanos(endpoint.index()) - nowNanos) / 1_000_000)
                    .log("endpoint ejected after consecutive failures");
        }
    }

    private void healthCheckPassed(int index) {
        if (outliers != null && outliers.returnEarly(index, System.nanoTime())) {
            log.atInfo().addKeyValue("upstream", config.name()).addKeyValue("endpoint", endpointArray[index].label())
                    .log("ejected endpoint returned early: its health check passed");
        }
    }

    /** Whether outlier detection has the endpoint ejected now. */
    public boolean ejected(EndpointState endpoint, long nowNanos) {
        return outliers != null && outliers.isEjected(endpoint.index(), nowNanos);
    }

    /** How many times the endpoint has been ejected (decaying while it behaves); 0 without outlier detection. */
    public int ejections(EndpointState endpoint) {
        return outliers == null ? 0 : outliers.ejectionCount(endpoint.index(), System.nanoTime());
    }

    public long ejectedUntilNanos(EndpointState endpoint) {
        return outliers == null ? 0 : outliers.ejectedUntilNanos(endpoint.index());
    }

    /** The upstream's concurrency limit, or null. */
    public LoadShedder shedder() {
        return shedder;
    }

    public boolean servesCritical() {
        return servesCritical;
    }

    /** A reload changed whether a critical route uses this upstream; its limit keeps room for them, or stops. */
    public void servesCritical(boolean servesCritical) {
        this.servesCritical = servesCritical;
        if (shedder != null) {
            shedder.reserveForCritical(servesCritical);
        }
    }

    public boolean healthChecked() {
        return healthChecker != null;
    }

    /** Counts an original request to this upstream, for the retry budget and the amplification ratio. */
    public void requestSent(long nowNanos) {
        retryBudget.recordRequest(nowNanos);
    }

    /** Whether one more attempt (a retry or a hedge) fits the retry budget; always true when it is not enforced. */
    public boolean tryRetry(long nowNanos) {
        if (!budgetEnforced) {
            retryBudget.recordRetry(nowNanos);
            return true;
        }
        return retryBudget.tryAcquireRetry(nowNanos);
    }

    public RetryBudget.Snapshot retryBudget(long nowNanos) {
        return retryBudget.snapshot(nowNanos);
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
        if (healthChecker != null) {
            healthChecker.stop();
        }
        return client.shutdown(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
