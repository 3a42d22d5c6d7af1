package dev.rampart.gateway;

import dev.rampart.core.config.RampartConfig;
import dev.rampart.core.config.RouteConfig;
import dev.rampart.gateway.admin.AdminServer;
import dev.rampart.gateway.admission.AdmissionState;
import dev.rampart.gateway.admission.RedisCells;
import dev.rampart.gateway.admin.EdgeAdmin;
import dev.rampart.gateway.cache.ResponseCache;
import dev.rampart.gateway.edge.DetachedCalls;
import dev.rampart.gateway.edge.PauseSync;
import dev.rampart.gateway.edge.SideEffectSwitch;
import dev.rampart.gateway.idempotency.IdempotencyStore;
import dev.rampart.gateway.observe.EdgeListener;
import dev.rampart.gateway.proxy.EdgeServices;
import dev.rampart.gateway.state.SharedRedis;
import dev.rampart.gateway.observe.AdmissionListener;
import dev.rampart.gateway.admin.RouteStats;
import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.listener.InvalidRequestHandler;
import dev.rampart.gateway.listener.ListenerVerticle;
import dev.rampart.gateway.logging.JsonLogAppender;
import dev.rampart.gateway.logging.StdoutSink;
import dev.rampart.gateway.metrics.GatewayMetrics;
import dev.rampart.gateway.observe.AccessLog;
import dev.rampart.gateway.observe.ExchangeListener;
import dev.rampart.gateway.observe.ExchangeRecord;
import dev.rampart.gateway.observe.ResilienceListener;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.proxy.ProxyHandler;
import dev.rampart.gateway.routing.RouteTable;
import dev.rampart.gateway.tracing.Tracing;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running Rampart instance: the data-plane listener on its event loops, the admin server, and the current route
 * table, which {@link #apply} swaps atomically.
 */
public final class Gateway {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final long RETIRE_GRACE_MILLIS = 5_000;
    private static final long HEDGE_DELAY_REFRESH_MILLIS = 1_000;

    private final Vertx vertx;
    private final AtomicReference<RouteTable> table = new AtomicReference<>();
    private final AtomicLong versions = new AtomicLong();
    private final List<HttpServer> listeners = new CopyOnWriteArrayList<>();
    private final RampartConfig startConfig;
    private final ExchangeListener listener;
    private final Tracing tracing;
    private final GatewayMetrics metrics; // null when metrics are off
    private final RouteStats routeStats;
    private final AccessLog accessLog;
    private final AdmissionState admissionState;
    private final SharedRedis redis; // null without state.redis
    private final EdgeServices edge;
    private volatile boolean draining;
    private AdminServer admin;

    private Gateway(Vertx vertx, RampartConfig config, GatewayMetrics metrics) {
        this.vertx = vertx;
        this.startConfig = config;
        this.metrics = metrics;
        this.accessLog = new AccessLog(config.service(), config.accessLog(), StdoutSink.get());
        this.routeStats = new RouteStats(System::nanoTime);
        this.listener = metrics == null ? ExchangeListener.of(accessLog, routeStats)
                : ExchangeListener.of(accessLog, routeStats, metrics);
        this.tracing = Tracing.create(config.service(), config.tracing(), vertx);
        this.redis = config.state().redis() == null ? null : new SharedRedis(vertx, config.state().redis());
        this.admissionState = new AdmissionState(redis == null ? null : new RedisCells(redis));
        this.edge = new EdgeServices(new ResponseCache(config.state().cacheMemory(), redis),
                new IdempotencyStore(config.state().idempotencyMemory(), redis), new SideEffectSwitch(),
                new DetachedCalls(), metrics == null ? EdgeListener.NONE : metrics);
        RouteTable first = RouteTable.compile(vertx, versions.incrementAndGet(), config, null, admissionState,
                admissionListener());
        this.table.set(first);
        if (metrics != null) {
            first.clusters().values().forEach(metrics::bindUpstream);
            metrics.configLoaded(first.version());
            metrics.bindTracing(tracing);
            if (redis != null) {
                metrics.bindRedis(redis);
            }
            metrics.bindEdge(edge.cache(), edge.idempotency(), edge.switches());
        }
    }

    /** How many event loops serve the data plane: {@code -Drampart.event-loops}, else one per core. */
    public static int defaultEventLoops() {
        String configured = System.getProperty("rampart.event-loops", System.getenv("RAMPART_EVENT_LOOPS"));
        if (configured != null && !configured.isBlank()) {
            return Math.max(1, Integer.parseInt(configured.trim()));
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Starts a gateway for a validated config; fails if a port cannot be bound. */
    public static Future<Gateway> start(RampartConfig config, int eventLoops) {
        Objects.requireNonNull(config, "config");
        JsonLogAppender.service(config.service());
        routeJavaUtilLoggingToJson();
        VertxOptions options = new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(4)
                .setPreferNativeTransport(true);
        GatewayMetrics metrics = config.metrics().enabled() ? new GatewayMetrics(config.service()) : null;
        // no Vert.x metrics SPI: the exchanges count what the metrics show (pool use included), and the SPI would
        // make Vert.x report every read and write of every connection to it
        Vertx vertx = Vertx.vertx(options);
        Gateway gateway = new Gateway(vertx, config, metrics);
        vertx.setPeriodic(HEDGE_DELAY_REFRESH_MILLIS, id -> gateway.refreshHedgeDelays());
        // pauses shared through Redis hold before the first request is served (a restart does not resume them)
        Future<?> pausesRead = gateway.redis == null ? Future.succeededFuture()
                : PauseSync.start(vertx, gateway.edge.switches(), gateway.redis);
        return pausesRead.compose(v -> gateway.listen(eventLoops))
                .onSuccess(v -> {
                    if (metrics != null) {
                        metrics.bindVertx(vertx, eventLoops);
                    }
                })
                .compose(v -> gateway.startAdmin())
                .map(v -> gateway)
                .onFailure(err -> vertx.close());
    }

    private AdmissionListener admissionListener() {
        return metrics == null ? AdmissionListener.NONE : metrics;
    }

    /** Routes that hedge after their p95 get it fresh from the last minute's latencies. */
    private void refreshHedgeDelays() {
        for (CompiledRoute route : table.get().routes()) {
            if (route.hedge != null && route.hedge.followsP95()) {
                var window = routeStats.route(route.id()).snapshot(RouteStats.ONE_MINUTE);
                if (!window.isEmpty()) {
                    route.hedge.p95((long) (window.p95Millis() * 1_000_000));
                }
            }
        }
    }

    /** The OpenTelemetry SDK logs through java.util.logging: without this its lines would be plain text on stderr. */
    private static synchronized void routeJavaUtilLoggingToJson() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    private Future<Void> listen(int instances) {
        ProxyHandler proxy = new ProxyHandler(table::get, listener,
                metrics == null ? ResilienceListener.NONE : metrics, tracing, edge);
        InvalidRequestHandler invalid = new InvalidRequestHandler(this::logRejected);
        int configuredPort = startConfig.listen().port();
        // the first instance binds (so port 0 resolves to one real port), the others share it
        return deployListeners(1, configuredPort, proxy, invalid)
                .compose(v -> instances > 1
                        ? deployListeners(instances - 1, port(), proxy, invalid)
                        : Future.succeededFuture());
    }

    private Future<Void> deployListeners(int instances, int port, ProxyHandler proxy, InvalidRequestHandler invalid) {
        return vertx.deployVerticle(() -> new ListenerVerticle(startConfig.listen(), port, proxy, invalid,
                        listeners::add, this::logRawRejection), new DeploymentOptions().setInstances(instances))
                .mapEmpty();
    }

    private Future<Void> startAdmin() {
        admin = new AdminServer(vertx, startConfig.admin(), this::readiness, routeStats,
                () -> table.get().config().routes().stream().map(RouteConfig::id).toList(),
                metrics == null ? null : metrics::scrape, metrics == null ? null : metrics.contentType());
        admin.upstreamDetails(() -> table.get().clusters());
        admin.edge(new EdgeAdmin(edge, table::get));
        return admin.start().mapEmpty();
    }

    private JsonObject readiness() {
        RouteTable current = table.get();
        JsonObject report = new JsonObject()
                .put("ready", !draining)
                .put("status", draining ? "draining" : "ready")
                .put("config_version", current.version())
                .put("routes", current.config().routes().size())
                .put("upstreams", current.config().upstreams().size());
        if (redis != null) {
            // Redis away does not make Rampart unready: each route's declared fallback keeps it serving
            JsonObject detail = new JsonObject().put("address", redis.label())
                    .put("status", redis.up() ? "up" : "down")
                    .put("rate_limits", redis.up() ? "shared" : "fallback per route (local, open or closed)")
                    .put("cache", redis.up() ? "shared" : "local (this instance only) plus origin")
                    .put("idempotency_keys", redis.up() ? "shared" : "local (this instance only)")
                    .put("failed_calls", redis.failures());
            if (!redis.up() && redis.lastProblem() != null) {
                detail.put("problem", redis.lastProblem());
            }
            report.put("redis", detail);
        }
        return report;
    }

    /** A request answered by the listener's decoder itself (slow head, broken chunked body). */
    private void logRawRejection(ErrorCode error, String requestId, String clientIp, int bytesOut) {
        listener.finished(new ExchangeRecord(System.currentTimeMillis(), null, null, null, null, null, null,
                error.status(), 0, 0, 0, bytesOut, requestId, clientIp, error.code(), -1, -1, -1, -1, null, null));
    }

    private void logRejected(InvalidRequestHandler.Rejection rejected) {
        HttpServerRequest request = rejected.request();
        // the method and path of a request that could not be parsed are not trustworthy: they are not logged
        listener.finished(new ExchangeRecord(System.currentTimeMillis(), null, null, null, null, null, null,
                rejected.error().status(), 0, 0, 0, rejected.bytesOut(), rejected.requestId(),
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(), rejected.error().code(),
                -1, -1, -1, -1, null, null));
    }

    /**
     * Swaps in a new validated config: requests in flight finish on the table they started with; upstreams that
     * changed or went away are shut down once their requests are done. Listener and admin settings need a restart.
     *
     * @return the new config version
     */
    public synchronized long apply(RampartConfig config) {
        RouteTable previous = table.get();
        RouteTable next = RouteTable.compile(vertx, versions.incrementAndGet(), config, previous, admissionState,
                admissionListener());
        if (!Objects.equals(config.state(), startConfig.state())) {
            log.warn("state settings (Redis) changed in the config; they take effect only after a restart");
        }
        table.set(next);
        if (!config.listen().equals(startConfig.listen()) || !config.admin().equals(startConfig.admin())) {
            log.warn("listen and admin settings changed in the config; they take effect only after a restart");
        }
        for (UpstreamCluster retired : previous.clustersRetiredBy(next)) {
            // a request on another event loop may have taken the old table a moment ago and be about to call this
            // cluster: shut it down (letting its requests finish) only after a grace period
            vertx.setTimer(RETIRE_GRACE_MILLIS, id -> {
                retired.shutdown(previous.longestTotalTimeoutMillis());
                if (metrics != null) {
                    metrics.unbindUpstream(retired);
                }
            });
        }
        if (metrics != null) {
            next.clusters().values().forEach(metrics::bindUpstream);
            metrics.configReload(true, next.version());
        }
        return next.version();
    }

    /** A reload was refused (the config was invalid): counted, the running config stays. */
    public void reloadRejected() {
        if (metrics != null) {
            metrics.configReload(false, configVersion());
        }
    }

    /** Prometheus metrics, or null when the config turns them off. */
    public GatewayMetrics metrics() {
        return metrics;
    }

    public RouteTable table() {
        return table.get();
    }

    /** The cache, idempotency records and pause switch every request shares. */
    public EdgeServices edge() {
        return edge;
    }

    public long configVersion() {
        return table.get().version();
    }

    /** The data-plane port actually bound. */
    public int port() {
        return listeners.get(0).actualPort();
    }

    public int adminPort() {
        return admin.port();
    }

    /** The network transport in use: {@code epoll} on Linux, else {@code nio}. */
    public String transport() {
        return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Graceful stop: report not-ready, stop accepting, let requests in flight finish for up to the drain timeout,
     * then close everything.
     */
    public Future<Void> shutdown() {
        draining = true;
        long drainMillis = startConfig.listen().drainTimeout().toMillis();
        log.info("draining: no new connections; requests in flight have up to {} ms", drainMillis);
        List<Future<Void>> closing = listeners.stream()
                .map(server -> server.shutdown(drainMillis, TimeUnit.MILLISECONDS))
                .toList();
        return Future.join(closing)
                // upstream calls whose client left, kept for an idempotency record: their answers are stored first
                .transform(ar -> edge.detached().idle(vertx, drainMillis))
                .transform(ar -> {
                    accessLog.flushAll(); // the last requests' lines, before the event loops stop
                    return Future.<Void>succeededFuture();
                })
                .transform(ar -> Future.join(table.get().clusters().values().stream()
                        .map(cluster -> cluster.shutdown(1000)).toList()))
                .transform(ar -> {
                    if (redis != null) {
                        redis.close();
                    }
                    return admin == null ? Future.<Void>succeededFuture() : admin.close();
                })
                .transform(ar -> vertx.<Void>executeBlocking(() -> {
                    tracing.close(); // flushes the spans still queued, bounded
                    return null;
                }, false))
                .transform(ar -> vertx.close())
                .transform(ar -> {
                    if (metrics != null) {
                        metrics.close();
                    }
                    return Future.<Void>succeededFuture();
                })
                .onComplete(ar -> log.info("stopped"));
    }
}
