package dev.rampart.gateway.routing;

import dev.rampart.core.config.RampartConfig;
import dev.rampart.core.config.RouteConfig;
import dev.rampart.core.config.UpstreamConfig;
import dev.rampart.gateway.admission.AdmissionState;
import dev.rampart.gateway.admission.Clients;
import dev.rampart.gateway.admission.RouteAdmission;
import dev.rampart.gateway.observe.AdmissionListener;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable, compiled configuration: routes in file order (first match wins) and their upstream clusters.
 * The gateway swaps whole tables atomically; requests keep the table they started with.
 */
public final class RouteTable {
    private final long version;
    private final RampartConfig config;
    private final CompiledRoute[] routes;
    private final Map<String, UpstreamCluster> clusters;
    private final List<String> cachingRoutes;

    private RouteTable(long version, RampartConfig config, CompiledRoute[] routes, Map<String, UpstreamCluster> clusters) {
        this.version = version;
        this.config = config;
        this.routes = routes;
        this.clusters = clusters;
        List<String> caching = new ArrayList<>();
        for (CompiledRoute route : routes) {
            if (route.cache != null) {
                caching.add(route.id());
            }
        }
        this.cachingRoutes = List.copyOf(caching);
    }

    /** The ids of the routes that cache responses: a successful write purges its path in each. */
    public List<String> cachingRoutes() {
        return cachingRoutes;
    }

    /** The route with this id, or null. */
    public CompiledRoute route(String id) {
        for (CompiledRoute route : routes) {
            if (route.id().equals(id)) {
                return route;
            }
        }
        return null;
    }

    /**
     * Compiles a validated config. Upstreams whose config is unchanged from {@code previous} keep their cluster (and so
     * their warm connection pools).
     */
    public static RouteTable compile(Vertx vertx, long version, RampartConfig config, RouteTable previous) {
        return compile(vertx, version, config, previous, new AdmissionState(null), AdmissionListener.NONE);
    }

    /** @param admission what admission keeps across configs (local cells, requests in flight, Redis) */
    public static RouteTable compile(Vertx vertx, long version, RampartConfig config, RouteTable previous,
                                     AdmissionState admission, AdmissionListener listener) {
        Clients clients = new Clients(config);
        Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
        for (UpstreamConfig upstream : config.upstreams().values()) {
            long connectTimeout = config.routes().stream()
                    .filter(r -> r.upstream().equals(upstream.name()))
                    .mapToLong(r -> r.timeouts().connect().toMillis())
                    .max().orElse(dev.rampart.core.config.TimeoutsConfig.DEFAULT_CONNECT.toMillis());
            boolean servesCritical = config.routes().stream()
                    .anyMatch(r -> r.upstream().equals(upstream.name()) && r.critical());
            UpstreamCluster kept = previous == null ? null : previous.clusters.get(upstream.name());
            if (kept != null && kept.config().equals(upstream) && kept.connectTimeoutMillis() == connectTimeout) {
                kept.servesCritical(servesCritical); // keeps its breakers, ejections and budget
                clusters.put(upstream.name(), kept);
            } else {
                clusters.put(upstream.name(), new UpstreamCluster(vertx, upstream, connectTimeout, servesCritical));
            }
        }
        NotForwardedHeaders notForwarded = NotForwardedHeaders.of(config.identity());
        List<CompiledRoute> routes = new ArrayList<>();
        for (RouteConfig route : config.routes()) {
            UpstreamCluster upstream = clusters.get(route.upstream());
            String backup = upstream.config().backup();
            routes.add(new CompiledRoute(route, upstream, backup == null ? null : clusters.get(backup),
                    RouteAdmission.compile(route, config, clients, admission, listener), notForwarded));
        }
        return new RouteTable(version, config, routes.toArray(CompiledRoute[]::new),
                java.util.Collections.unmodifiableMap(clusters)); // in config order, for the admin API
    }

    /** The compiled routes, in config order. */
    public List<CompiledRoute> routes() {
        return List.of(routes);
    }

    /** The first route that takes this request, or null. */
    public CompiledRoute match(HttpServerRequest request, String path) {
        for (CompiledRoute route : routes) {
            if (route.matches(request, path)) {
                return route;
            }
        }
        return null;
    }

    public long version() {
        return version;
    }

    public RampartConfig config() {
        return config;
    }

    public Map<String, UpstreamCluster> clusters() {
        return clusters;
    }

    /** Clusters of this table that {@code next} no longer uses: to be shut down once their requests finish. */
    public List<UpstreamCluster> clustersRetiredBy(RouteTable next) {
        List<UpstreamCluster> retired = new ArrayList<>();
        for (UpstreamCluster cluster : clusters.values()) {
            if (!next.clusters.containsValue(cluster)) {
                retired.add(cluster);
            }
        }
        return retired;
    }

    /** The longest total deadline of any route: how long a retired cluster may still have requests in flight. */
    public long longestTotalTimeoutMillis() {
        long longest = 0;
        for (CompiledRoute route : routes) {
            longest = Math.max(longest, route.totalTimeoutMillis);
        }
        return longest;
    }
}
