package dev.rampart.gateway.routing;

import dev.rampart.core.cache.CachePolicy;
import dev.rampart.core.config.CacheConfig;
import dev.rampart.core.config.IdempotencyConfig;
import dev.rampart.core.config.PathRewrite;
import dev.rampart.core.config.RouteConfig;
import dev.rampart.core.config.RouteMatch;
import dev.rampart.gateway.admission.RouteAdmission;
import dev.rampart.gateway.resilience.Fallback;
import dev.rampart.gateway.resilience.FaultInjector;
import dev.rampart.gateway.resilience.LoadShedder;
import dev.rampart.gateway.resilience.RetryPolicy;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;

/** A route ready for the hot path: its match, its upstream cluster resolved, its limits in milliseconds and bytes. */
public final class CompiledRoute {
    private final RouteConfig config;
    private final RouteMatch match;
    private final UpstreamCluster upstream;
    private final UpstreamCluster backup;
    private final PathRewrite rewrite;
    public final long connectTimeoutMillis;
    public final long firstByteTimeoutMillis;
    public final long idleTimeoutMillis;
    public final long totalTimeoutMillis;
    /** How long a WebSocket tunnel may go without a byte either way; 0 when the route tunnels no WebSockets. */
    public final long webSocketIdleMillis;
    public final long maxBodySize;
    private final String httpRoute;
    public final RetryPolicy retries;
    /** Null when the route does not hedge. */
    public final HedgeDelay hedge;
    /** Null when the route has none. */
    public final Fallback fallback;
    /** Null when the route has no concurrency limit of its own. */
    public final LoadShedder shedder;
    /** Null unless a chaos drill is configured. */
    public final FaultInjector faults;
    public final boolean critical;
    /** Null when the route has nothing to check about its callers. */
    public final RouteAdmission admission;
    /** Whether an operator may pause the route (rule 16). */
    public final boolean sideEffects;
    /** Null when the route caches nothing. */
    public final CacheConfig cache;
    /** Null when the route caches nothing. */
    public final CachePolicy cachePolicy;
    /** Null when the route takes no idempotency keys. */
    public final IdempotencyConfig idempotency;
    /** The client's headers its upstream requests leave out. */
    public final NotForwardedHeaders notForwarded;

    CompiledRoute(RouteConfig config, UpstreamCluster upstream, UpstreamCluster backup, RouteAdmission admission,
                  NotForwardedHeaders notForwarded) {
        this.config = config;
        this.match = config.match();
        this.upstream = upstream;
        this.backup = backup;
        this.retries = new RetryPolicy(config.retries());
        this.hedge = config.hedge() == null ? null : new HedgeDelay(config.hedge());
        this.fallback = config.fallback() == null ? null : new Fallback(config.fallback());
        this.shedder = config.concurrencyLimit() == null ? null
                : new LoadShedder("route " + config.id(), config.concurrencyLimit(), false);
        this.faults = config.fault() == null ? null : new FaultInjector(config.fault());
        this.critical = config.critical();
        this.admission = admission;
        this.sideEffects = config.sideEffects();
        this.cache = config.cache();
        this.cachePolicy = cache == null ? null
                : new CachePolicy(cache.ttl(), cache.staleWhileRevalidate(), cache.staleIfError());
        this.idempotency = config.idempotency();
        this.notForwarded = notForwarded;
        this.rewrite = config.rewrite();
        this.connectTimeoutMillis = config.timeouts().connect().toMillis();
        this.firstByteTimeoutMillis = config.timeouts().firstByte().toMillis();
        this.idleTimeoutMillis = config.timeouts().idle().toMillis();
        this.totalTimeoutMillis = config.timeouts().total().toMillis();
        this.webSocketIdleMillis = config.webSocket().enabled() ? config.webSocket().idleTimeout().toMillis() : 0;
        this.maxBodySize = config.maxBodySize();
        this.httpRoute = match.path() != null ? match.path().source() : config.id();
    }

    public String id() {
        return config.id();
    }

    /** The route's path template for {@code http.route} (a low-cardinality name), else its id. */
    public String httpRoute() {
        return httpRoute;
    }

    public RouteConfig config() {
        return config;
    }

    public UpstreamCluster upstream() {
        return upstream;
    }

    /** The upstream's backup pool, used only when the upstream has no available endpoint; null when it has none. */
    public UpstreamCluster backup() {
        return backup;
    }

    /** The path to send upstream. */
    public String upstreamPath(String path) {
        return rewrite == null ? path : rewrite.apply(path);
    }

    boolean matches(HttpServerRequest request, String path) {
        if (!match.methods().isEmpty() && !match.methods().contains(request.method().name())) {
            return false;
        }
        if (match.path() != null && !match.path().matches(path)) {
            return false;
        }
        if (!match.matchesHost(request.authority() != null ? request.authority().toString() : request.getHeader("host"))) {
            return false;
        }
        for (Map.Entry<String, String> header : match.headers().entrySet()) {
            if (!header.getValue().equals(request.getHeader(header.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
