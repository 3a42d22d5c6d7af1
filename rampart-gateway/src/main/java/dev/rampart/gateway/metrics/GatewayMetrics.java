package dev.rampart.gateway.metrics;

import com.sun.management.OperatingSystemMXBean;
import dev.rampart.gateway.observe.ExchangeListener;
import dev.rampart.gateway.observe.AdmissionListener;
import dev.rampart.gateway.observe.EdgeListener;
import dev.rampart.gateway.observe.ExchangeRecord;
import dev.rampart.gateway.observe.ResilienceListener;
import dev.rampart.gateway.tracing.Tracing;
import dev.rampart.gateway.upstream.EndpointState;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rampart's Prometheus metrics (names and labels in {@code docs/metrics.md}): per route and upstream from every
 * finished request, per endpoint from the upstream clusters, and the process itself. Labels come only from
 * configured names and fixed sets, so the number of series is bounded whatever the traffic.
 */
public final class GatewayMetrics implements ExchangeListener, ResilienceListener, AdmissionListener, EdgeListener,
        AutoCloseable {
    /** The Prometheus text format, version 0.0.4, that {@link #scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final Duration LAG_PROBE_INTERVAL = Duration.ofMillis(100);
    private static final Duration[] LAG_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RequestHistograms histograms = new RequestHistograms(registry.getPrometheusRegistry());
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, RouteMeters>> routes = new ConcurrentHashMap<>();
    private final Map<List<String>, EndpointGauges> endpoints = new HashMap<>();
    private final Map<String, UpstreamGauges> upstreams = new HashMap<>();
    private final ResilienceMeters resilience = new ResilienceMeters(registry);
    private final AdmissionMeters admission;
    private final EdgeMeters edge;
    private final List<EventLoopLagProbe> lagProbes = new ArrayList<>();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Counter reloadsOk;
    private final Counter reloadsFailed;
    private final AtomicLong configVersion = new AtomicLong();

    /** @param service the {@code service} name from the config, exposed as {@code rampart_service_info} */
    public GatewayMetrics(String service) {
        Objects.requireNonNull(service, "service");
        // Micrometer's CPU time is in nanoseconds and its CPU count a gauge named like a histogram part: promtool
        // rejects both, so the CPU time comes as the conventional process_cpu_seconds_total instead
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        this.admission = new AdmissionMeters(registry); // after the filter: meters registered before it escape it
        this.edge = new EdgeMeters(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time used by the Rampart process").register(registry);
        }
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ResidentMemory.read(ResidentMemory.PROC_SELF_STATUS) >= 0) {
            Gauge.builder("rampart.process.resident.memory", () -> ResidentMemory.read(ResidentMemory.PROC_SELF_STATUS))
                    .baseUnit("bytes").description("Resident set size of the Rampart process (VmRSS)")
                    .register(registry);
        }
        Gauge.builder("rampart.service.info", () -> 1).tag("service", service)
                .description("Always 1; names the service this gateway runs as").register(registry);
        reloadsOk = reloads("ok");
        reloadsFailed = reloads("failed");
        Gauge.builder("rampart.config.version", configVersion, AtomicLong::get)
                .description("Version of the config in use: 1 at start, one more for each applied reload")
                .strongReference(true).register(registry);
    }

    /** Starts one lag probe on each of the first {@code eventLoops} event loops of {@code vertx}. */
    public synchronized void bindVertx(Vertx vertx, int eventLoops) {
        Objects.requireNonNull(vertx, "vertx");
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops: " + eventLoops + " (expected: >= 1)");
        }
        int index = 0;
        for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
            if (index == eventLoops) {
                break;
            }
            Timer lag = Timer.builder("rampart.event.loop.lag")
                    .description("How late an event loop ran a timer due every " + LAG_PROBE_INTERVAL.toMillis()
                            + " ms: time every task on that loop waits for the loop")
                    .tag("event_loop", Integer.toString(index++))
                    .serviceLevelObjectives(LAG_BUCKETS)
                    .publishPercentileHistogram(false)
                    .register(registry);
            EventLoopLagProbe probe = new EventLoopLagProbe(loop, lag, LAG_PROBE_INTERVAL.toNanos());
            lagProbes.add(probe);
            probe.start();
        }
    }

    /**
     * Per-endpoint gauges for a cluster: requests in flight and the connection pool's use, as the exchanges count
     * them on the cluster's endpoints. Binding the same cluster again does nothing.
     */
    public synchronized void bindUpstream(UpstreamCluster cluster) {
        Objects.requireNonNull(cluster, "cluster");
        for (EndpointState endpoint : cluster.endpoints()) {
            endpoints.computeIfAbsent(List.of(cluster.name(), endpoint.label()),
                            key -> new EndpointGauges(registry, key.get(0), key.get(1)))
                    .bind(cluster, endpoint);
        }
        upstreams.computeIfAbsent(cluster.name(), name -> new UpstreamGauges(registry, name)).bind(cluster);
    }

    /** Removes a retired cluster from the per-endpoint gauges (those of a still-bound cluster stay). */
    public synchronized void unbindUpstream(UpstreamCluster cluster) {
        Objects.requireNonNull(cluster, "cluster");
        for (EndpointState endpoint : cluster.endpoints()) {
            List<String> key = List.of(cluster.name(), endpoint.label());
            EndpointGauges gauges = endpoints.get(key);
            if (gauges != null && gauges.unbind(cluster)) {
                endpoints.remove(key);
            }
        }
        UpstreamGauges gauges = upstreams.get(cluster.name());
        if (gauges != null && gauges.unbind(cluster)) {
            upstreams.remove(cluster.name());
        }
    }

    /**
     * Exposes the tracing pipeline's counts: spans sampled, exported, lost in failed exports and dropped because
     * the export queue was full, so an unreachable collector shows up as a number, not as slow requests.
     */
    public void bindTracing(Tracing tracing) {
        Objects.requireNonNull(tracing, "tracing");
        spanCounter("sampled", tracing, c -> c.ended());
        spanCounter("exported", tracing, c -> c.exported());
        spanCounter("export_failed", tracing, c -> c.exportFailed());
        spanCounter("dropped", tracing, c -> c.dropped());
    }

    private void spanCounter(String outcome, Tracing tracing, java.util.function.ToLongFunction<Tracing.Counts> count) {
        FunctionCounter.builder("rampart.tracing.spans", tracing, t -> count.applyAsLong(t.counts()))
                .tag("outcome", outcome)
                .description("Spans by outcome: sampled (queued for export), exported, export_failed (collector down "
                        + "or slow), dropped (export queue full; a lower bound)")
                .register(registry);
    }

    /** The version of the config loaded at start: sets the version without counting a reload. */
    public void configLoaded(long version) {
        configVersion.set(version);
    }

    /** A reload was attempted; {@code version} is the version in use afterwards (unchanged when it failed). */
    public void configReload(boolean ok, long version) {
        (ok ? reloadsOk : reloadsFailed).increment();
        configVersion.set(version);
    }

    @Override
    public void started(String route, String upstream) {
        routeMeters(route, upstream).started();
    }

    @Override
    public void finished(ExchangeRecord record) {
        routeMeters(record.route(), record.upstream()).finished(record);
    }

    @Override
    public void attemptFinished(String upstream, String kind, String outcome) {
        resilience.attemptFinished(upstream, kind, outcome);
    }

    @Override
    public void retrySuppressed(String upstream, String reason) {
        resilience.retrySuppressed(upstream, reason);
    }

    @Override
    public void shed(String route, String limiter) {
        resilience.shed(route, limiter);
    }

    @Override
    public void fallbackServed(String route, String reason) {
        resilience.fallbackServed(route, reason);
    }

    @Override
    public void faultInjected(String route, String kind) {
        resilience.faultInjected(route, kind);
    }

    @Override
    public void rateLimitDecision(String route, String limit, String client, boolean allowed) {
        admission.rateLimitDecision(route, limit, client, allowed);
    }

    @Override
    public void refused(String route, String reason, String client) {
        admission.refused(route, reason, client);
    }

    @Override
    public void redisDecision(long nanos, boolean ok) {
        admission.redisDecision(nanos, ok);
    }

    @Override
    public void redisFallback(String route, String mode) {
        admission.redisFallback(route, mode);
    }

    /** Whether shared state goes to Redis now (1) or routes use their fallback (0). */
    public void bindRedis(dev.rampart.gateway.state.SharedRedis redis) {
        Gauge.builder("rampart.rate.limit.redis.up", redis, r -> r.up() ? 1 : 0)
                .description("1 while rate-limit decisions go to Redis, 0 while routes use their fallback")
                .tag("redis", redis.label()).register(registry);
        Gauge.builder("rampart.redis.up", redis, r -> r.up() ? 1 : 0)
                .description("1 while shared state (rate limits, cache, idempotency keys) goes to Redis, 0 while "
                        + "each falls back")
                .tag("redis", redis.label()).register(registry);
    }

    /** The cache's, idempotency store's and pause switch's gauges. */
    public void bindEdge(dev.rampart.gateway.cache.ResponseCache cache,
                         dev.rampart.gateway.idempotency.IdempotencyStore idempotency,
                         dev.rampart.gateway.edge.SideEffectSwitch switches) {
        edge.bind(cache, idempotency, switches);
    }

    @Override
    public void cacheResult(String route, String result) {
        edge.cacheResult(route, result);
    }

    @Override
    public void cacheCoalesced(String route) {
        edge.cacheCoalesced(route);
    }

    @Override
    public void cacheStored(String route, long bytes) {
        edge.cacheStored(route, bytes);
    }

    @Override
    public void idempotency(String route, String outcome) {
        edge.idempotency(route, outcome);
    }

    @Override
    public void paused(String route) {
        edge.paused(route);
    }

    /** Everything in the Prometheus text format; takes a while with many routes, so call it off the event loop. */
    public String scrape() {
        return registry.scrape();
    }

    /** The {@code Content-Type} of {@link #scrape()}'s answer. */
    public String contentType() {
        return CONTENT_TYPE;
    }

    /** Stops the lag probes and the GC listeners. */
    @Override
    public synchronized void close() {
        lagProbes.forEach(EventLoopLagProbe::stop);
        lagProbes.clear();
        gcMetrics.close();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The meters an event loop used last: consecutive requests mostly share a route, so most find them here. */
    private static final class LastMeters {
        String route;
        String upstream;
        RouteMeters meters;
    }

    private final FastThreadLocal<LastMeters> lastMeters = new FastThreadLocal<>() {
        @Override
        protected LastMeters initialValue() {
            return new LastMeters();
        }
    };

    private RouteMeters routeMeters(String route, String upstream) {
        LastMeters last = lastMeters.get();
        // the same String instances: route ids and upstream names come from the one config object per version
        if (last.meters != null && last.route == route && last.upstream == upstream) {
            return last.meters;
        }
        RouteMeters meters = lookUpRouteMeters(route, upstream);
        last.route = route;
        last.upstream = upstream;
        last.meters = meters;
        return meters;
    }

    private RouteMeters lookUpRouteMeters(String route, String upstream) {
        String routeLabel = route == null ? RequestLabels.NONE : route;
        String upstreamLabel = upstream == null ? RequestLabels.NONE : upstream;
        ConcurrentHashMap<String, RouteMeters> byUpstream = routes.get(routeLabel);
        RouteMeters meters = byUpstream == null ? null : byUpstream.get(upstreamLabel);
        if (meters != null) {
            return meters;
        }
        return routes.computeIfAbsent(routeLabel, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(upstreamLabel, u -> new RouteMeters(registry, histograms, routeLabel, upstreamLabel));
    }

    private Counter reloads(String result) {
        return Counter.builder("rampart.config.reloads").tag("result", result)
                .description("Config reloads attempted, by result (a failed one leaves the running config as it was)")
                .register(registry);
    }
}
