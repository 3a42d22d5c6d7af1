package dev.rampart.gateway.metrics;

import dev.rampart.core.resilience.RetryBudget;
import dev.rampart.gateway.upstream.EndpointState;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of one upstream: retry amplification over the budget's window, ejected endpoints, and its concurrency
 * limit. They read the newest cluster bound under the name (a reload may leave a retired one finishing requests).
 */
final class UpstreamGauges {
    private final MeterRegistry registry;
    private final List<UpstreamCluster> clusters = new CopyOnWriteArrayList<>();
    private final List<Meter> meters = new ArrayList<>();
    private Tags tags;
    private boolean limitGaugeRegistered;

    UpstreamGauges(MeterRegistry registry, String upstream) {
        this.registry = registry;
        Tags tags = Tags.of("upstream", upstream);
        gauge("rampart.upstream.amplification.ratio", "Requests sent to the upstream, retries and hedges included, "
                + "over client requests for it, in the retry budget's window (1 = no retries)", tags,
                cluster -> budget(cluster).amplification());
        gauge("rampart.upstream.retry.budget.requests", "Client requests to the upstream in the retry budget's window",
                tags, cluster -> budget(cluster).requests());
        gauge("rampart.upstream.retry.budget.retries", "Retries and hedges sent to the upstream in the retry budget's "
                + "window", tags, cluster -> budget(cluster).retries());
        gauge("rampart.upstream.ejected.endpoints", "Endpoints ejected by outlier detection now", tags, cluster -> {
            long now = System.nanoTime();
            int ejected = 0;
            for (EndpointState endpoint : cluster.endpoints()) {
                ejected += cluster.ejected(endpoint, now) ? 1 : 0;
            }
            return ejected;
        });
        this.tags = tags;
    }

    /** Only upstreams with a concurrency limit have its gauge (registered when the first such cluster binds). */
    private void limitGauge() {
        if (limitGaugeRegistered) {
            return;
        }
        limitGaugeRegistered = true;
        gauge("rampart.upstream.concurrency.limit", "The upstream's concurrency limit now (adaptive limits move)",
                tags, cluster -> cluster.shedder() == null ? Double.NaN : cluster.shedder().limit());
        gauge("rampart.upstream.concurrency.in.flight", "Requests holding a place in the upstream's concurrency "
                + "limit", tags, cluster -> cluster.shedder() == null ? Double.NaN : cluster.shedder().inFlight());
    }

    private static RetryBudget.Snapshot budget(UpstreamCluster cluster) {
        return cluster.retryBudget(System.nanoTime());
    }

    private void gauge(String name, String description, Tags tags, ToDoubleFunction<UpstreamCluster> value) {
        meters.add(Gauge.builder(name, this, g -> {
                    UpstreamCluster newest = g.newest();
                    return newest == null ? Double.NaN : value.applyAsDouble(newest);
                })
                .description(description).tags(tags).strongReference(true).register(registry));
    }

    private UpstreamCluster newest() {
        int size = clusters.size();
        return size == 0 ? null : clusters.get(size - 1);
    }

    void bind(UpstreamCluster cluster) {
        if (!clusters.contains(cluster)) {
            clusters.add(cluster);
        }
        if (cluster.shedder() != null) {
            limitGauge();
        }
    }

    /** @return true when no cluster is bound any more (and the gauges are gone) */
    boolean unbind(UpstreamCluster cluster) {
        clusters.remove(cluster);
        if (!clusters.isEmpty()) {
            return false;
        }
        meters.forEach(registry::remove);
        return true;
    }
}
