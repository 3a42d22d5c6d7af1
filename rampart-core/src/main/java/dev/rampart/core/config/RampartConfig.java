package dev.rampart.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The whole validated configuration of one Rampart instance: immutable, safe to share across threads. */
public record RampartConfig(
        String service,
        ListenConfig listen,
        AdminConfig admin,
        AccessLogConfig accessLog,
        Map<String, UpstreamConfig> upstreams,
        List<RouteConfig> routes,
        TracingConfig tracing,
        MetricsConfig metrics,
        StateConfig state,
        IdentityConfig identity,
        List<ClientConfig> clients) {

    public static final String DEFAULT_SERVICE = "rampart";

    public RampartConfig {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(tracing, "tracing");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(identity, "identity");
        clients = List.copyOf(clients);
        upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams)); // keeps file order
        routes = List.copyOf(routes);
    }
}
