package dev.rampart.gateway.routing;

import dev.rampart.core.config.PathRewrite;
import dev.rampart.core.config.RouteConfig;
import dev.rampart.core.config.RouteMatch;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;

/** A route ready for the hot path: its match, its upstream cluster resolved, its limits in milliseconds and bytes. */
public final class CompiledRoute {
    private final RouteConfig config;
    private final RouteMatch match;
    private final UpstreamCluster upstream;
    private final PathRewrite rewrite;
    public final long connectTimeoutMillis;
    public final long firstByteTimeoutMillis;
    public final long idleTimeoutMillis;
    public final long totalTimeoutMillis;
    public final long maxBodySize;
    private final String httpRoute;

    CompiledRoute(RouteConfig config, UpstreamCluster upstream) {
        this.config = config;
        this.match = config.match();
        this.upstream = upstream;
        this.rewrite = config.rewrite();
        this.connectTimeoutMillis = config.timeouts().connect().toMillis();
        this.firstByteTimeoutMillis = config.timeouts().firstByte().toMillis();
        this.idleTimeoutMillis = config.timeouts().idle().toMillis();
        this.totalTimeoutMillis = config.timeouts().total().toMillis();
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
