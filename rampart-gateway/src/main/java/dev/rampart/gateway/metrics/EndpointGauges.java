package dev.rampart.gateway.metrics;

import dev.rampart.gateway.upstream.EndpointBreaker;
import dev.rampart.gateway.upstream.EndpointState;
import io.micrometer.core.instrument.FunctionCounter;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;

/**
 * The gauges of one (upstream, endpoint) pair. A config reload may build a new cluster for an upstream while the
 * retired one still finishes its requests: each gauge is the sum over every cluster bound under these labels, and
 * the gauges go away when the last one is unbound.
 */
final class EndpointGauges {
    /** One cluster's view of the endpoint. */
    private record Source(UpstreamCluster cluster, EndpointState endpoint) {
    }

    private final MeterRegistry registry;
    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final List<Meter> meters = new ArrayList<>();

    EndpointGauges(MeterRegistry registry, String upstream, String endpoint) {
        this.registry = registry;
        Tags tags = Tags.of("upstream", upstream, "endpoint", endpoint);
        meters.add(Gauge.builder("rampart.upstream.requests.in.flight", this,
                        g -> g.sum(source -> source.endpoint().inFlight()))
                .description("Requests sent to this endpoint (or waiting for a connection to it) and not finished yet")
                .tags(tags).strongReference(true).register(registry));
        meters.add(Gauge.builder("rampart.upstream.endpoint.healthy", this,
                        g -> g.newest(source -> source.endpoint().healthy() ? 1 : 0))
                .description("1 while active health checks pass (always 1 without health checks), else 0")
                .tags(tags).strongReference(true).register(registry));
        meters.add(Gauge.builder("rampart.upstream.endpoint.ejected", this,
                        g -> g.newest(source -> source.cluster().ejected(source.endpoint(), System.nanoTime()) ? 1 : 0))
                .description("1 while outlier detection has the endpoint ejected, else 0")
                .tags(tags).strongReference(true).register(registry));
        meters.add(FunctionCounter.builder("rampart.upstream.endpoint.ejections", this,
                        g -> g.sum(source -> (int) source.endpoint().ejectionsTotal()))
                .description("Times outlier detection ejected the endpoint")
                .tags(tags).register(registry));
        for (String state : List.of("closed", "open", "half_open")) {
            meters.add(Gauge.builder("rampart.circuit.breaker.state", this, g -> g.newest(source -> {
                        EndpointBreaker breaker = source.endpoint().breaker();
                        return breaker != null && breaker.state().equals(state) ? 1 : 0;
                    }))
                    .description("1 for the endpoint's circuit breaker state, 0 for the others (all 0 without a breaker)")
                    .tags(tags.and("state", state)).strongReference(true).register(registry));
        }
        meters.add(poolGauge("rampart.upstream.pool.open.connections",
                "Open connections in the pool (counted from the first request each carries)", tags,
                EndpointState::openConnections));
        meters.add(poolGauge("rampart.upstream.pool.busy.connections", "Pooled connections carrying a request", tags,
                EndpointState::busyConnections));
        meters.add(poolGauge("rampart.upstream.pool.waiting.requests",
                "Requests waiting for a pooled connection (queued, or waiting for a connect)", tags,
                EndpointState::waitingRequests));
        meters.add(Gauge.builder("rampart.upstream.pool.max.connections", this,
                        g -> g.sum(source -> source.cluster().config().pool().maxConnections()))
                .description("Most connections the pool may open (pool.max-connections)")
                .tags(tags).strongReference(true).register(registry));
    }

    /** @return false if this cluster was already bound here */
    boolean bind(UpstreamCluster cluster, EndpointState endpoint) {
        for (Source source : sources) {
            if (source.cluster() == cluster) {
                return false;
            }
        }
        sources.add(new Source(cluster, endpoint));
        return true;
    }

    /** @return true when no cluster is bound any more (and the gauges are gone) */
    boolean unbind(UpstreamCluster cluster) {
        sources.removeIf(source -> source.cluster() == cluster);
        if (!sources.isEmpty()) {
            return false;
        }
        meters.forEach(registry::remove);
        return true;
    }

    private Gauge poolGauge(String name, String description, Tags tags, ToIntFunction<EndpointState> value) {
        return Gauge.builder(name, this, g -> g.sum(source -> value.applyAsInt(source.endpoint())))
                .description(description).tags(tags).strongReference(true).register(registry);
    }

    private double newest(ToIntFunction<Source> value) {
        int size = sources.size();
        return size == 0 ? 0 : value.applyAsInt(sources.get(size - 1));
    }

    private double sum(ToIntFunction<Source> value) {
        long sum = 0;
        for (Source source : sources) {
            sum += value.applyAsInt(source);
        }
        return sum;
    }
}
