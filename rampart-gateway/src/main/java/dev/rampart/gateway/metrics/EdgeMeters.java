package dev.rampart.gateway.metrics;

import dev.rampart.gateway.cache.ResponseCache;
import dev.rampart.gateway.edge.SideEffectSwitch;
import dev.rampart.gateway.idempotency.IdempotencyStore;
import dev.rampart.gateway.observe.EdgeListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's metrics: cache results per route (the hit ratio is hits over all lookups), coalesced waits, stores,
 * bytes and entries held and evictions; idempotency-key outcomes per route; requests refused by a pause, and the
 * pauses in force. Labels are route ids and fixed outcome names.
 */
final class EdgeMeters implements EdgeListener {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<List<String>, Counter> counters = new ConcurrentHashMap<>();

    EdgeMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void bind(ResponseCache cache, IdempotencyStore idempotency, SideEffectSwitch switches) {
        Gauge.builder("rampart.cache.local.bytes", cache, ResponseCache::localBytes)
                .description("Bytes held by the in-process response cache (bounded; evicts least recently used)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("rampart.cache.local.entries", cache, ResponseCache::localEntries)
                .description("Responses held by the in-process response cache").register(registry);
        FunctionCounter.builder("rampart.cache.evictions", cache, ResponseCache::evictions)
                .description("Responses dropped from the in-process cache to stay within its size").register(registry);
        Gauge.builder("rampart.idempotency.local.records", idempotency, IdempotencyStore::localRecords)
                .description("Idempotency records kept in this process (all of them without Redis, else those "
                        + "written while Redis was away)").register(registry);
        FunctionCounter.builder("rampart.idempotency.evictions", idempotency, IdempotencyStore::evictions)
                .description("Idempotency records dropped before their retention ended because the local store was "
                        + "full").register(registry);
        Gauge.builder("rampart.side.effects.pauses", switches, s -> s.pauses().size())
                .description("Pauses of side-effect routes in force (one for all routes counts once)")
                .register(registry);
    }

    @Override
    public void cacheResult(String route, String result) {
        count("rampart.cache.requests", "Cacheable requests by route and result: hit, miss, stale, revalidated, bypass",
                route, "result", result);
    }

    @Override
    public void cacheCoalesced(String route) {
        count("rampart.cache.coalesced", "Cache misses that waited for another request's fetch of the same key "
                + "instead of going upstream", route, null, null);
    }

    @Override
    public void cacheStored(String route, long bytes) {
        count("rampart.cache.stores", "Responses stored in the cache", route, null, null);
    }

    @Override
    public void idempotency(String route, String outcome) {
        count("rampart.idempotency.requests", "Requests on idempotency-key routes by outcome: stored, "
                + "stored_without_body, replayed, in_flight, reused, missing, invalid, released, detached, unknown", route, "outcome", outcome);
    }

    @Override
    public void paused(String route) {
        count("rampart.side.effects.refused", "Requests refused (503) because their side-effect route is paused",
                route, null, null);
    }

    private void count(String name, String description, String route, String tag, String value) {
        List<String> id = tag == null ? List.of(name, route) : List.of(name, route, value);
        counters.computeIfAbsent(id, k -> {
            Counter.Builder builder = Counter.builder(name).description(description).tag("route", route);
            if (tag != null) {
                builder.tag(tag, value);
            }
            return builder.register(registry);
        }).increment();
    }
}
