package dev.rampart.gateway.metrics;

import dev.rampart.gateway.observe.ResilienceListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters of what the resilience policies did: attempts by kind and outcome, suppressed retries, shed requests,
 * fallbacks and injected faults. Label values are configured names and the fixed sets of {@link ResilienceListener}.
 */
final class ResilienceMeters implements ResilienceListener {
    static final List<String> KINDS = List.of("first", "retry", "hedge");
    static final List<String> OUTCOMES = List.of("response", "retryable_status", "connect_failure", "reset", "timeout",
            "bad_response", "pool_busy", "cancelled");

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter[]> attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<List<String>, Counter> others = new ConcurrentHashMap<>();

    ResilienceMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void attemptFinished(String upstream, String kind, String outcome) {
        Counter[] counters = attempts.get(upstream);
        if (counters == null) {
            counters = attempts.computeIfAbsent(upstream, this::attemptCounters);
        }
        int k = KINDS.indexOf(kind);
        int o = OUTCOMES.indexOf(outcome);
        if (k >= 0 && o >= 0) {
            counters[k * OUTCOMES.size() + o].increment();
        }
    }

    private Counter[] attemptCounters(String upstream) {
        Counter[] counters = new Counter[KINDS.size() * OUTCOMES.size()];
        for (int k = 0; k < KINDS.size(); k++) {
            for (int o = 0; o < OUTCOMES.size(); o++) {
                counters[k * OUTCOMES.size() + o] = Counter.builder("rampart.upstream.attempts")
                        .description("Upstream attempts by kind (first, retry, hedge) and outcome")
                        .tags("upstream", upstream, "kind", KINDS.get(k), "outcome", OUTCOMES.get(o))
                        .register(registry);
            }
        }
        return counters;
    }

    @Override
    public void retrySuppressed(String upstream, String reason) {
        counter("rampart.retries.suppressed", "Retries and hedges the policy wanted but did not send, by reason "
                + "(budget, deadline, overload)", "upstream", upstream, "reason", reason).increment();
    }

    @Override
    public void shed(String route, String limiter) {
        counter("rampart.requests.shed", "Requests refused at once by a concurrency limit (route or upstream)",
                "route", route, "limiter", limiter).increment();
    }

    @Override
    public void fallbackServed(String route, String reason) {
        counter("rampart.fallbacks", "Answers from a route's fallback, by the error code they stand in for",
                "route", route, "error_code", reason).increment();
    }

    @Override
    public void faultInjected(String route, String kind) {
        counter("rampart.faults.injected", "Faults injected by chaos drills (delay, abort, reset)",
                "route", route, "fault", kind).increment();
    }

    private Counter counter(String name, String description, String k1, String v1, String k2, String v2) {
        List<String> key = List.of(name, v1, v2);
        Counter counter = others.get(key);
        if (counter == null) {
            counter = others.computeIfAbsent(key, k -> Counter.builder(name).description(description)
                    .tags(k1, v1, k2, v2).register(registry));
        }
        return counter;
    }
}
