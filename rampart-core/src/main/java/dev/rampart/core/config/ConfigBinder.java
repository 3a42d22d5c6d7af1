package dev.rampart.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Turns the YAML tree of a config file into a {@link RampartConfig}, checking every rule and reporting every miss. */
final class ConfigBinder {

    static final List<String> ROOT_KEYS = List.of("service", "listen", "admin", "access-log", "metrics", "tracing",
            "state", "identity", "clients", "upstreams", "routes");
    static final List<String> METRICS_KEYS = List.of("enabled");
    static final List<String> TRACING_KEYS = List.of("endpoint", "sample-ratio", "export-timeout", "max-queue-size",
            "export-interval", "propagators");
    static final List<String> LISTEN_KEYS = List.of("host", "port", "header-read-timeout", "keep-alive-idle",
            "max-header-size", "drain-timeout");
    static final List<String> ADMIN_KEYS = List.of("bind", "port");
    static final List<String> ACCESS_LOG_KEYS = List.of("enabled", "query-string", "secret-headers");
    static final List<String> UPSTREAM_KEYS = List.of("endpoints", "load-balancer", "pool", "tls", "backup",
            "health-check", "circuit-breaker", "outlier-detection", "retry-budget", "concurrency-limit");
    static final List<String> POOL_KEYS = List.of("max-connections", "max-waiting", "idle-timeout");
    static final List<String> TLS_KEYS = List.of("verify");
    static final List<String> ROUTE_KEYS = List.of("id", "match", "upstream", "strip-prefix", "rewrite", "timeouts",
            "max-body-size", "server-timing", "mask-upstream-errors", "retries", "hedge", "fallback",
            "concurrency-limit", "critical", "fault", "require-client", "rate-limits", "max-concurrent-per-client",
            "rate-limit-headers", "on-redis-failure", "side-effects", "cache", "idempotency", "cache-purge",
            "websocket");
    static final List<String> WEBSOCKET_KEYS = List.of("enabled", "idle-timeout");
    static final List<String> MATCH_KEYS = List.of("host", "path", "prefix", "methods", "headers");
    static final List<String> REWRITE_KEYS = List.of("regex", "replacement");
    static final List<String> TIMEOUT_KEYS = List.of("connect", "first-byte", "idle", "total");

    private static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    private static final long MIN_MAX_HEADER_SIZE = 1024;
    private static final int MAX_POOL_CONNECTIONS = 10_000;
    private static final int MAX_POOL_WAITING = 100_000;
    private static final Duration MIN_POOL_IDLE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_POOL_IDLE_TIMEOUT = Duration.ofHours(1);

    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9][a-z0-9-_.]{0,62}");
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-_]*");
    private static final String LABEL = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
    private static final String DNS_NAME = LABEL + "(\\." + LABEL + ")*";
    private static final Pattern HOST_NAME = Pattern.compile(DNS_NAME, Pattern.CASE_INSENSITIVE);
    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?" + DNS_NAME);
    private static final Pattern IPV6_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");
    private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3}\\.){3}[0-9]{1,3}");
    private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Z-]+");
    private static final Pattern PATH = Pattern.compile("/[^\\s?#]*");

    private static final String SERVICE_EXPECTED = "a name of lower-case letters, digits, '-', '_' or '.', starting "
            + "with a letter or digit, at most 63 characters";
    static final String NAME_EXPECTED = "of lower-case letters, digits, '-' or '_', starting with a letter "
            + "or digit";
    private static final String UPSTREAMS_EXPECTED = "a mapping of upstream names to upstreams";
    private static final String ADDRESS_EXPECTED = "a host name or an IP address, e.g. 0.0.0.0 or ::";
    private static final String ENDPOINT_EXPECTED = "an http:// or https:// URL with a host and an optional port, "
            + "without path, query or user info, e.g. http://127.0.0.1:7001";
    private static final String ENDPOINTS_EXPECTED = "a list of at least one endpoint URL, e.g. "
            + "[ \"http://127.0.0.1:7001\" ]";
    private static final RouteMatch MATCH_ALL = new RouteMatch(List.of(), null, Set.of(), Map.of());

    private final ConfigErrors errors;
    private final ValueReader values;
    private final ResilienceBinder resilience;
    private final AdmissionBinder admission;
    private final EdgeBinder edge;
    private final ConfigEnvironment environment;

    private ConfigBinder(ConfigErrors errors, ConfigEnvironment environment) {
        this.errors = errors;
        this.values = new ValueReader(errors);
        this.resilience = new ResilienceBinder(values);
        this.admission = new AdmissionBinder(values, errors);
        this.edge = new EdgeBinder(values);
        this.environment = environment;
    }

    /**
     * The config the document describes, or {@code null} when it breaks a rule; each broken rule is in errors.
     * Files and environment variables the document names are read from {@code environment}.
     */
    static RampartConfig bind(YamlNode root, ConfigErrors errors, ConfigEnvironment environment) {
        return new ConfigBinder(errors, environment).root(root);
    }

    private RampartConfig root(YamlNode root) {
        YamlNode.Mapping doc = values.section(root, ROOT_KEYS);
        if (doc == null) {
            return null;
        }
        String service = values.optional(doc, "service", RampartConfig.DEFAULT_SERVICE,
                n -> values.string(n, SERVICE_NAME.asMatchPredicate(), SERVICE_EXPECTED));
        ListenConfig listen = values.optional(doc, "listen", ListenConfig.defaults(), this::listen);
        AdminConfig admin = values.optional(doc, "admin", AdminConfig.defaults(), this::admin);
        checkPortsDiffer(doc, listen, admin);
        AccessLogConfig accessLog = values.optional(doc, "access-log", AccessLogConfig.defaults(), this::accessLog);
        TracingConfig tracing = values.optional(doc, "tracing", TracingConfig.defaults(), this::tracing);
        MetricsConfig metrics = values.optional(doc, "metrics", MetricsConfig.defaults(), this::metrics);
        StateConfig state = values.optional(doc, "state", StateConfig.none(), admission::state);
        IdentityConfig identity = values.optional(doc, "identity", IdentityConfig.defaults(),
                n -> admission.identity(n, environment));
        AdmissionBinder.Declarations declared = AdmissionBinder.Declarations.of(doc);
        edge.redisConfigured(doc.get("state") instanceof YamlNode.Mapping s && s.get("redis") != null);

        YamlNode upstreamsNode = values.required(doc, "upstreams", UPSTREAMS_EXPECTED);
        YamlNode.Mapping upstreamsMapping = upstreamsNode == null ? null
                : values.mapping(upstreamsNode, UPSTREAMS_EXPECTED);
        Map<String, UpstreamConfig> upstreams = upstreams(upstreamsMapping);
        // Routes are checked against every upstream named, valid or not, so one mistake is not reported twice.
        Set<String> upstreamNames = upstreamsMapping == null ? Set.of() : upstreamsMapping.entries().keySet();
        YamlNode routesNode = values.required(doc, "routes", "a list of routes");
        List<RouteConfig> routes = routesNode == null ? List.of() : routes(routesNode, upstreamNames, declared);
        // Clients are checked against every route id written, valid or not, for the same reason.
        List<ClientConfig> clients = values.optional(doc, "clients", List.of(),
                n -> admission.clients(n, routeIds(routesNode), declared));

        return errors.isEmpty() ? new RampartConfig(service, listen, admin, accessLog, upstreams, routes, tracing,
                metrics, state, identity, clients)
                : null;
    }

    private ListenConfig listen(YamlNode node) {
        YamlNode.Mapping m = values.section(node, LISTEN_KEYS);
        if (m == null) {
            return null;
        }
        return new ListenConfig(
                values.optional(m, "host", ListenConfig.DEFAULT_HOST, this::bindAddress),
                values.optional(m, "port", ListenConfig.DEFAULT_PORT, values::port),
                values.optional(m, "header-read-timeout", ListenConfig.DEFAULT_HEADER_READ_TIMEOUT,
                        n -> values.timeout(n, MIN_TIMEOUT, ListenConfig.MAX_HEADER_READ_TIMEOUT)),
                values.optional(m, "keep-alive-idle", ListenConfig.DEFAULT_KEEP_ALIVE_IDLE,
                        n -> values.timeout(n, MIN_TIMEOUT, ListenConfig.MAX_KEEP_ALIVE_IDLE)),
                values.optional(m, "max-header-size", ListenConfig.DEFAULT_MAX_HEADER_SIZE,
                        n -> values.size(n, MIN_MAX_HEADER_SIZE, ListenConfig.MAX_MAX_HEADER_SIZE)),
                values.optional(m, "drain-timeout", ListenConfig.DEFAULT_DRAIN_TIMEOUT,
                        n -> values.timeout(n, MIN_TIMEOUT, ListenConfig.MAX_DRAIN_TIMEOUT)));
    }

    private AdminConfig admin(YamlNode node) {
        YamlNode.Mapping m = values.section(node, ADMIN_KEYS);
        if (m == null) {
            return null;
        }
        return new AdminConfig(
                values.optional(m, "bind", AdminConfig.DEFAULT_BIND, this::bindAddress),
                values.optional(m, "port", AdminConfig.DEFAULT_PORT, values::port));
    }

    private String bindAddress(YamlNode node) {
        return values.string(node, text -> HOST_NAME.matcher(text).matches() || isIpv6(text), ADDRESS_EXPECTED);
    }

    /** Whether {@code text} is an IPv6 address such as {@code ::}, {@code ::1} or {@code 2001:db8::ffff:10.0.0.1}. */
    static boolean isIpv6(String text) {
        int compression = text.indexOf("::");
        if (compression >= 0 && text.indexOf("::", compression + 1) >= 0) {
            return false;
        }
        String[] halves = compression >= 0
                ? new String[] {text.substring(0, compression), text.substring(compression + 2)}
                : new String[] {text};
        int groups = 0;
        for (int h = 0; h < halves.length; h++) {
            if (halves[h].isEmpty()) {
                continue;
            }
            String[] parts = halves[h].split(":", -1);
            for (int i = 0; i < parts.length; i++) {
                boolean last = h == halves.length - 1 && i == parts.length - 1;
                if (last && IPV4.matcher(parts[i]).matches()) {
                    groups += 2;
                } else if (IPV6_GROUP.matcher(parts[i]).matches()) {
                    groups++;
                } else {
                    return false;
                }
            }
        }
        return compression >= 0 ? groups < 8 : groups == 8;
    }

    /** Both listeners cannot bind one port; 0 means "any free port", which never collides. */
    private void checkPortsDiffer(YamlNode.Mapping doc, ListenConfig listen, AdminConfig admin) {
        if (listen.port() == 0 || listen.port() != admin.port()) {
            return;
        }
        YamlNode adminPort = find(doc, "admin", "port");
        if (adminPort != null) {
            values.reject(adminPort, "a port other than listen.port (" + listen.port() + "), or 0");
        } else {
            values.reject(find(doc, "listen", "port"), "a port other than admin.port (" + admin.port()
                    + " by default), or 0");
        }
    }

    private MetricsConfig metrics(YamlNode node) {
        YamlNode.Mapping m = values.section(node, METRICS_KEYS);
        return m == null ? null
                : new MetricsConfig(values.optional(m, "enabled", MetricsConfig.defaults().enabled(), values::bool));
    }

    private TracingConfig tracing(YamlNode node) {
        YamlNode.Mapping m = values.section(node, TRACING_KEYS);
        if (m == null) {
            return null;
        }
        TracingConfig defaults = TracingConfig.defaults();
        return new TracingConfig(
                values.optional(m, "endpoint", null, this::otlpEndpoint),
                values.optional(m, "sample-ratio", defaults.sampleRatio(), values::percentage),
                values.optional(m, "export-timeout", defaults.exportTimeout(),
                        n -> values.timeout(n, MIN_TIMEOUT, TracingConfig.MAX_EXPORT_TIMEOUT)),
                values.optional(m, "max-queue-size", defaults.maxQueueSize(),
                        n -> values.integer(n, 1, 1_000_000, "a span count")),
                values.optional(m, "export-interval", defaults.exportInterval(),
                        n -> values.timeout(n, TracingConfig.MIN_EXPORT_INTERVAL, TracingConfig.MAX_EXPORT_INTERVAL)),
                values.optional(m, "propagators", defaults.propagators(), this::propagators));
    }

    private Set<TracePropagation> propagators(YamlNode node) {
        List<TracePropagation> read = values.oneOrMany(node,
                item -> values.choice(item, TracePropagation.values(), TracePropagation::configName),
                "a list of tracecontext, b3 or b3multi");
        return read == null || read.isEmpty() ? null : Set.copyOf(read);
    }

    private static final String OTLP_EXPECTED = "an http:// or https:// OTLP/HTTP traces URL, "
            + "e.g. http://127.0.0.1:4318/v1/traces";

    private URI otlpEndpoint(YamlNode node) {
        String text = values.text(node, OTLP_EXPECTED);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getRawUserInfo() == null && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        values.reject(node, OTLP_EXPECTED);
        return null;
    }

    private AccessLogConfig accessLog(YamlNode node) {
        YamlNode.Mapping m = values.section(node, ACCESS_LOG_KEYS);
        if (m == null) {
            return null;
        }
        AccessLogConfig defaults = AccessLogConfig.defaults();
        List<String> secretHeaders = values.optional(m, "secret-headers", List.of(),
                n -> values.oneOrMany(n, values::headerName, "a header name or a list of them"));
        return new AccessLogConfig(
                values.optional(m, "enabled", defaults.enabled(), values::bool),
                values.optional(m, "query-string", defaults.includeQuery(), values::bool),
                List.copyOf(new LinkedHashSet<>(secretHeaders)));
    }

    private Map<String, UpstreamConfig> upstreams(YamlNode.Mapping m) {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        if (m == null) {
            return upstreams;
        }
        if (m.entries().isEmpty()) {
            values.reject(m, "at least one upstream, e.g. pricing: { endpoints: [ \"http://127.0.0.1:7001\" ] }");
        }
        for (YamlNode.Entry entry : m.entries().values()) {
            if (!NAME.matcher(entry.key()).matches()) {
                errors.atKey(m, entry, ValidationMessage.of(entry.key(), "an upstream name " + NAME_EXPECTED));
            }
            UpstreamConfig upstream = upstream(entry.key(), entry.value());
            if (upstream != null) {
                upstreams.put(entry.key(), upstream);
            }
        }
        resilience.checkBackups(m);
        return upstreams;
    }

    private UpstreamConfig upstream(String name, YamlNode node) {
        YamlNode.Mapping m = values.section(node, UPSTREAM_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode endpointsNode = values.required(m, "endpoints", ENDPOINTS_EXPECTED);
        List<Endpoint> endpoints = endpointsNode == null ? null : endpoints(endpointsNode);
        LoadBalancing loadBalancing = values.optional(m, "load-balancer", LoadBalancing.ROUND_ROBIN,
                n -> values.choice(n, LoadBalancing.values(), LoadBalancing::configName));
        PoolConfig pool = values.optional(m, "pool", PoolConfig.defaults(), this::pool);
        Boolean tlsVerify = values.optional(m, "tls", true, n -> {
            YamlNode.Mapping tls = values.section(n, TLS_KEYS);
            return tls == null ? null : values.optional(tls, "verify", true, values::bool);
        });
        String backup = values.optional(m, "backup", null, n -> values.text(n, "the name of another upstream"));
        HealthCheckConfig healthCheck = values.optional(m, "health-check", null, resilience::healthCheck);
        CircuitBreakerConfig circuitBreaker = values.optional(m, "circuit-breaker", CircuitBreakerConfig.defaults(),
                resilience::circuitBreaker);
        OutlierDetectionConfig outlierDetection = values.optional(m, "outlier-detection",
                OutlierDetectionConfig.defaults(), resilience::outlierDetection);
        RetryBudgetConfig retryBudget = values.optional(m, "retry-budget", RetryBudgetConfig.defaults(),
                resilience::retryBudget);
        ConcurrencyLimitConfig concurrencyLimit = values.optional(m, "concurrency-limit", null,
                resilience::concurrencyLimit);
        return endpoints == null ? null : new UpstreamConfig(name, endpoints, loadBalancing, pool, tlsVerify, backup,
                healthCheck, circuitBreaker, outlierDetection, retryBudget, concurrencyLimit);
    }

    private List<Endpoint> endpoints(YamlNode node) {
        if (node instanceof YamlNode.Sequence list && list.items().isEmpty()) {
            values.reject(node, ENDPOINTS_EXPECTED);
            return null;
        }
        Map<Endpoint, String> firstPaths = new HashMap<>();
        return values.oneOrMany(node, item -> {
            Endpoint endpoint = endpoint(item);
            String first = endpoint == null ? null : firstPaths.putIfAbsent(endpoint, item.path());
            if (first != null) {
                values.reject(item, "distinct endpoints; this one is the same as " + first);
                return null;
            }
            return endpoint;
        }, ENDPOINTS_EXPECTED);
    }

    private Endpoint endpoint(YamlNode node) {
        String text = values.text(node, ENDPOINT_EXPECTED);
        if (text == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            values.reject(node, ENDPOINT_EXPECTED);
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath();
        boolean valid = (scheme.equals("http") || scheme.equals("https"))
                && uri.getHost() != null
                && uri.getPort() != 0 && uri.getPort() <= 65535
                && uri.getRawUserInfo() == null
                && (path == null || path.isEmpty() || path.equals("/"))
                && uri.getRawQuery() == null
                && uri.getRawFragment() == null;
        if (!valid) {
            values.reject(node, ENDPOINT_EXPECTED);
            return null;
        }
        boolean tls = scheme.equals("https");
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Endpoint(tls, host, uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80);
    }

    private PoolConfig pool(YamlNode node) {
        YamlNode.Mapping m = values.section(node, POOL_KEYS);
        if (m == null) {
            return null;
        }
        return new PoolConfig(
                values.optional(m, "max-connections", PoolConfig.DEFAULT_MAX_CONNECTIONS,
                        n -> values.integer(n, 1, MAX_POOL_CONNECTIONS, "an integer")),
                values.optional(m, "max-waiting", PoolConfig.DEFAULT_MAX_WAITING,
                        n -> values.integer(n, 0, MAX_POOL_WAITING, "an integer")),
                values.optional(m, "idle-timeout", PoolConfig.DEFAULT_IDLE_TIMEOUT,
                        n -> values.timeout(n, MIN_POOL_IDLE_TIMEOUT, MAX_POOL_IDLE_TIMEOUT)));
    }

    private List<RouteConfig> routes(YamlNode node, Set<String> upstreamNames,
                                     AdmissionBinder.Declarations declared) {
        YamlNode.Sequence list = values.list(node, "a list of routes");
        if (list == null) {
            return List.of();
        }
        if (list.items().isEmpty()) {
            values.reject(list, "at least one route, e.g. - { id: all, upstream: pricing }");
        }
        List<RouteConfig> routes = new ArrayList<>();
        Map<String, String> idPaths = new HashMap<>();
        for (YamlNode item : list.items()) {
            RouteConfig route = route(item, upstreamNames, idPaths, declared);
            if (route != null) {
                routes.add(route);
            }
        }
        return routes;
    }

    private RouteConfig route(YamlNode node, Set<String> upstreamNames, Map<String, String> idPaths,
                              AdmissionBinder.Declarations declared) {
        YamlNode.Mapping m = values.section(node, ROUTE_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode idNode = values.required(m, "id", "a route id " + NAME_EXPECTED);
        String id = idNode == null ? null
                : values.string(idNode, NAME.asMatchPredicate(), "a route id " + NAME_EXPECTED);
        if (id != null) {
            String first = idPaths.putIfAbsent(id, idNode.path());
            if (first != null) {
                values.reject(idNode, "a route id used once; " + first + " has it already");
            }
        }
        RouteMatch match = values.optional(m, "match", MATCH_ALL, this::match);
        String upstream = upstreamReference(m, upstreamNames);
        PathRewrite rewrite = values.eitherOf(m, "strip-prefix", this::stripPrefix, "rewrite", this::regexRewrite);
        int errorsBeforeTimeouts = errors.count();
        TimeoutsConfig timeouts = values.optional(m, "timeouts", TimeoutsConfig.defaults(), this::timeouts);
        // What must fit in the total is checked only against a total read without mistakes, not against a stand-in.
        TotalTimeout total = errors.count() > errorsBeforeTimeouts ? null
                : new TotalTimeout(timeouts.total(), find(m, "timeouts", "total") == null);
        long maxBodySize = values.optional(m, "max-body-size", RouteConfig.DEFAULT_MAX_BODY_SIZE,
                n -> values.size(n, 0, RouteConfig.MAX_MAX_BODY_SIZE));
        boolean serverTiming = values.optional(m, "server-timing", false, values::bool);
        boolean maskUpstreamErrors = values.optional(m, "mask-upstream-errors", true, values::bool);
        RetryConfig retries = values.optional(m, "retries", RetryConfig.defaults(),
                n -> resilience.retries(n, total));
        HedgeConfig hedge = values.optional(m, "hedge", null, n -> resilience.hedge(n, total));
        FallbackConfig fallback = values.optional(m, "fallback", null, resilience::fallback);
        ConcurrencyLimitConfig concurrencyLimit = values.optional(m, "concurrency-limit", null,
                resilience::concurrencyLimit);
        boolean critical = values.optional(m, "critical", false, values::bool);
        FaultConfig fault = values.optional(m, "fault", null, resilience::fault);
        AdmissionConfig admission = this.admission.admission(m, declared);
        boolean sideEffects = values.optional(m, "side-effects", false, values::bool);
        CacheConfig cache = values.optional(m, "cache", null, edge::cache);
        IdempotencyConfig idempotency = values.optional(m, "idempotency", null, edge::idempotency);
        if (idempotency != null && total != null) {
            idempotency = edge.fitLockToTotal(idempotency, total, find(m, "idempotency", "lock-timeout"));
        }
        List<String> cachePurge = values.optional(m, "cache-purge", List.of(), edge::cachePurge);
        WebSocketConfig webSocket = values.optional(m, "websocket", WebSocketConfig.defaults(), this::webSocket);
        return new RouteConfig(id, match, upstream, rewrite, timeouts, maxBodySize, serverTiming, maskUpstreamErrors,
                retries, hedge, fallback, concurrencyLimit, critical, fault, admission, sideEffects, cache,
                idempotency, cachePurge, webSocket);
    }

    /** The ids written in the routes, whether or not the rest of their route is valid. */
    private static Set<String> routeIds(YamlNode routesNode) {
        Set<String> ids = new LinkedHashSet<>();
        if (routesNode instanceof YamlNode.Sequence list) {
            for (YamlNode item : list.items()) {
                if (item instanceof YamlNode.Mapping route && route.get("id") instanceof YamlNode.Scalar id
                        && !id.isNull()) {
                    ids.add(id.text());
                }
            }
        }
        return ids;
    }

    private String upstreamReference(YamlNode.Mapping route, Set<String> upstreamNames) {
        String expected = upstreamNames.isEmpty() ? "the name of an upstream"
                : "one of the upstreams: " + String.join(", ", upstreamNames);
        YamlNode node = values.required(route, "upstream", expected);
        String name = node == null ? null : values.text(node, expected);
        if (name != null && !upstreamNames.isEmpty() && !upstreamNames.contains(name)) {
            values.reject(node, expected);
            return null;
        }
        return name;
    }

    private RouteMatch match(YamlNode node) {
        YamlNode.Mapping m = values.section(node, MATCH_KEYS);
        if (m == null) {
            return null;
        }
        List<String> hosts = values.optional(m, "host", List.of(),
                n -> values.oneOrMany(n, this::hostPattern, "a host name or a list of them"));
        List<String> methods = values.optional(m, "methods", List.of(),
                n -> values.oneOrMany(n, item -> values.string(item, METHOD.asMatchPredicate(),
                        "an upper-case HTTP method, e.g. GET"), "an HTTP method or a list of them"));
        Map<String, String> headers = values.optional(m, "headers", Map.of(),
                n -> values.headers(n, List.of(), value -> true, "the exact header value"));
        PathPattern path = values.eitherOf(m, "path", this::path, "prefix", this::prefix);
        return new RouteMatch(hosts, path, Set.copyOf(methods), headers);
    }

    private String hostPattern(YamlNode node) {
        String host = values.string(node, text -> HOST_PATTERN.matcher(text.toLowerCase(Locale.ROOT)).matches()
                        || text.startsWith("[") && text.endsWith("]") && isIpv6(text.substring(1, text.length() - 1)),
                "a host name without port, e.g. api.example.com, or *.example.com for any subdomain");
        return host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    private PathPattern path(YamlNode node) {
        String text = values.string(node, t -> PATH.matcher(t).matches() && !t.contains("***"),
                "a path starting with /, e.g. /v1/prices/* (* matches within a segment, ** across segments)");
        return text == null ? null : text.contains("*") ? new PathPattern.Glob(text) : new PathPattern.Exact(text);
    }

    private PathPattern prefix(YamlNode node) {
        String text = values.string(node, t -> PATH.matcher(t).matches() && !t.contains("*"),
                "a path prefix starting with /, without * (use path for globs), e.g. /v1/");
        return text == null ? null : new PathPattern.Prefix(text);
    }

    private PathRewrite stripPrefix(YamlNode node) {
        String prefix = values.string(node, t -> PATH.matcher(t).matches() && t.length() > 1 && !t.endsWith("/"),
                "a path prefix starting with / and not ending with /, e.g. /v1");
        return prefix == null ? null : new PathRewrite.StripPrefix(prefix);
    }

    private PathRewrite regexRewrite(YamlNode node) {
        YamlNode.Mapping m = values.section(node, REWRITE_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode regexNode = values.required(m, "regex", "a regular expression, e.g. ^/v1/(.*)$");
        YamlNode replacementNode = values.required(m, "replacement", "the new path, e.g. /api/$1");
        Pattern regex = regexNode == null ? null : regex(regexNode);
        String replacement = replacementNode == null ? null : values.text(replacementNode, "the new path, e.g. /api/$1");
        if (regex == null || replacement == null) {
            return null;
        }
        if (!replacementFits(regex, replacement)) {
            int groups = regex.matcher("").groupCount();
            values.reject(replacementNode, "a replacement whose $n and ${name} name groups of the regex (it has "
                    + groups + (groups == 1 ? " group" : " groups") + "); write \\$ for a literal $");
            return null;
        }
        return new PathRewrite.RegexRewrite(regex, replacement);
    }

    private Pattern regex(YamlNode node) {
        String text = values.text(node, "a regular expression, e.g. ^/v1/(.*)$");
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            values.reject(node, "a valid regular expression; " + e.getDescription() + " at index " + e.getIndex());
            return null;
        }
    }

    /**
     * Whether the group references in {@code replacement} exist in {@code regex}. Java checks them only when a
     * match is replaced, so it is tried on a pattern with the same groups that always matches.
     */
    private static boolean replacementFits(Pattern regex, String replacement) {
        Matcher probe;
        try {
            probe = Pattern.compile("(?:" + regex.pattern() + ")|", regex.flags()).matcher("");
        } catch (PatternSyntaxException cannotWrap) {
            return true; // e.g. an unterminated \Q: leave the check to the first request rather than guess
        }
        probe.find();
        try {
            probe.appendReplacement(new StringBuilder(), replacement);
            return true;
        } catch (IllegalArgumentException | IndexOutOfBoundsException noSuchGroup) {
            return false;
        }
    }

    private TimeoutsConfig timeouts(YamlNode node) {
        YamlNode.Mapping m = values.section(node, TIMEOUT_KEYS);
        if (m == null) {
            return null;
        }
        Duration total = values.optional(m, "total", TimeoutsConfig.DEFAULT_TOTAL,
                n -> values.timeout(n, MIN_TIMEOUT, TimeoutsConfig.MAX_TOTAL));
        // A shorter total lowers the defaults of the parts, so that "total: 5s" alone is a valid config.
        Duration connect = values.optional(m, "connect", min(TimeoutsConfig.DEFAULT_CONNECT, total),
                n -> values.timeout(n, MIN_TIMEOUT, TimeoutsConfig.MAX_CONNECT));
        Duration firstByte = values.optional(m, "first-byte", min(TimeoutsConfig.DEFAULT_FIRST_BYTE, total),
                n -> values.timeout(n, MIN_TIMEOUT, TimeoutsConfig.MAX_FIRST_BYTE));
        Duration idle = values.optional(m, "idle", TimeoutsConfig.DEFAULT_IDLE,
                n -> values.timeout(n, MIN_TIMEOUT, TimeoutsConfig.MAX_IDLE));
        checkWithinTotal(m, "connect", connect, total);
        checkWithinTotal(m, "first-byte", firstByte, total);
        return new TimeoutsConfig(connect, firstByte, idle, total);
    }

    private WebSocketConfig webSocket(YamlNode node) {
        YamlNode.Mapping m = values.section(node, WEBSOCKET_KEYS);
        if (m == null) {
            return null;
        }
        boolean enabled = values.optional(m, "enabled", true, values::bool);
        Duration idle = values.optional(m, "idle-timeout", WebSocketConfig.DEFAULT_IDLE_TIMEOUT,
                n -> values.timeout(n, MIN_TIMEOUT, WebSocketConfig.MAX_IDLE_TIMEOUT));
        return new WebSocketConfig(enabled, idle);
    }

    /** A part of the exchange cannot be allowed longer than the whole of it. */
    private void checkWithinTotal(YamlNode.Mapping timeouts, String part, Duration value, Duration total) {
        new TotalTimeout(total, timeouts.get("total") == null).checkFits(values, timeouts.get(part), value);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The node at {@code keys} under {@code node}, or {@code null} when a key is absent or a value not a mapping. */
    private static YamlNode find(YamlNode node, String... keys) {
        for (String key : keys) {
            if (!(node instanceof YamlNode.Mapping mapping)) {
                return null;
            }
            node = mapping.get(key);
        }
        return node;
    }
}
