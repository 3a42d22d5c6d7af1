package dev.rampart.gateway.metrics;

import dev.rampart.gateway.observe.AdmissionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Admission's metrics: rate-limit decisions by route, limit and client (declared clients only, else {@code none}),
 * refusals before the limits, and the latency and fallbacks of Redis-backed decisions.
 */
final class AdmissionMeters implements AdmissionListener {
    private static final Duration[] REDIS_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100)};

    private final MeterRegistry registry;
    private final ConcurrentHashMap<List<String>, Counter> counters = new ConcurrentHashMap<>();
    /**
     * Every request's decisions, by route, limit and client: [limited, allowed]. Nested, so that a hit allocates no
     * key (the names are the config's own strings, their hashes cached).
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, Counter[]>>> decisions =
            new ConcurrentHashMap<>();
    private final Timer redisOk;
    private final Timer redisFailed;

    AdmissionMeters(MeterRegistry registry) {
        this.registry = registry;
        this.redisOk = redisTimer("ok");
        this.redisFailed = redisTimer("failed");
    }

    private Timer redisTimer(String outcome) {
        return Timer.builder("rampart.rate.limit.redis.duration")
                .description("One rate-limit decision's round trip to Redis, by outcome (failed: error or timeout)")
                .tag("outcome", outcome).serviceLevelObjectives(REDIS_BUCKETS).publishPercentileHistogram(false)
                .register(registry);
    }

    @Override
    public void rateLimitDecision(String route, String limit, String client, boolean allowed) {
        ConcurrentHashMap<String, Counter[]> byClient = decisions.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(limit, l -> new ConcurrentHashMap<>());
        Counter[] byDecision = byClient.get(client);
        if (byDecision == null) {
            byDecision = byClient.computeIfAbsent(client, c -> new Counter[] {
                    decisionCounter(route, limit, c, "limited"), decisionCounter(route, limit, c, "allowed")});
        }
        byDecision[allowed ? 1 : 0].increment();
    }

    private Counter decisionCounter(String route, String limit, String client, String decision) {
        return Counter.builder("rampart.rate.limit.decisions")
                .description("Rate-limit decisions by route, limit, declared client and decision")
                .tags("route", route, "limit", limit, "client", client, "decision", decision)
                .register(registry);
    }

    @Override
    public void refused(String route, String reason, String client) {
        counter(List.of("refused", route, reason, client), () -> Counter.builder("rampart.admission.refusals")
                .description("Requests refused by admission before or besides rate limits: unauthorized (401), "
                        + "forbidden (403), concurrency (429 too many in flight)")
                .tags("route", route, "reason", reason, "client", client).register(registry)).increment();
    }

    @Override
    public void redisDecision(long nanos, boolean ok) {
        (ok ? redisOk : redisFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void redisFallback(String route, String mode) {
        counter(List.of("fallback", route, mode), () -> Counter.builder("rampart.rate.limit.redis.fallbacks")
                .description("Rate-limit decisions made without Redis while it was away, by the route's mode")
                .tags("route", route, "mode", mode).register(registry)).increment();
    }

    private Counter counter(List<String> key, java.util.function.Supplier<Counter> create) {
        Counter counter = counters.get(key);
        return counter != null ? counter : counters.computeIfAbsent(key, k -> create.get());
    }
}
