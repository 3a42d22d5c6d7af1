package dev.rampart.gateway.admin;

import dev.rampart.core.resilience.RetryBudget;
import dev.rampart.gateway.resilience.LoadShedder;
import dev.rampart.gateway.upstream.EndpointBreaker;
import dev.rampart.gateway.upstream.EndpointState;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One upstream as the admin API shows it: traffic, retry budget, concurrency limit, and each endpoint's state. */
final class UpstreamReport {
    private UpstreamReport() {
    }

    static JsonObject of(UpstreamCluster cluster, JsonObject traffic, long nowNanos) {
        JsonObject out = traffic.copy();
        if (cluster.config().backup() != null) {
            out.put("backup", cluster.config().backup());
        }
        RetryBudget.Snapshot budget = cluster.retryBudget(nowNanos);
        out.put("retry_budget", new JsonObject()
                .put("enabled", cluster.config().retryBudget().enabled())
                .put("requests", budget.requests())
                .put("retries", budget.retries())
                .put("suppressed", budget.suppressed())
                .put("amplification", Math.round(budget.amplification() * 1000) / 1000.0));
        LoadShedder shedder = cluster.shedder();
        if (shedder != null) {
            out.put("concurrency_limit", new JsonObject().put("kind", cluster.config().concurrencyLimit().kind()
                    .name().toLowerCase(java.util.Locale.ROOT)).put("limit", shedder.limit())
                    .put("in_flight", shedder.inFlight()));
        }
        JsonArray endpoints = new JsonArray();
        int available = 0;
        for (EndpointState endpoint : cluster.endpoints()) {
            JsonObject e = endpoint(cluster, endpoint, nowNanos);
            available += e.getBoolean("available") ? 1 : 0;
            endpoints.add(e);
        }
        out.put("health_checked", cluster.healthChecked());
        out.put("available_endpoints", available);
        out.put("endpoints", endpoints);
        return out;
    }

    private static JsonObject endpoint(UpstreamCluster cluster, EndpointState endpoint, long nowNanos) {
        boolean ejected = cluster.ejected(endpoint, nowNanos);
        EndpointBreaker breaker = endpoint.breaker();
        boolean breakerOpen = breaker != null && breaker.isOpen();
        JsonObject out = new JsonObject()
                .put("endpoint", endpoint.label())
                .put("available", endpoint.healthy() && !ejected && !breakerOpen)
                .put("health", cluster.healthChecked() ? (endpoint.healthy() ? "healthy" : "unhealthy") : "unchecked")
                .put("in_flight", endpoint.inFlight());
        JsonObject ejection = new JsonObject().put("ejected", ejected).put("ejections", cluster.ejections(endpoint))
                .put("ejections_total", endpoint.ejectionsTotal());
        if (ejected) {
            ejection.put("remaining_ms", Math.max(0, (cluster.ejectedUntilNanos(endpoint) - nowNanos) / 1_000_000));
        }
        out.put("outlier", ejection);
        if (breaker == null) {
            out.put("circuit_breaker", new JsonObject().put("state", "disabled"));
        } else {
            JsonObject state = new JsonObject().put("state", breaker.state())
                    .put("failure_rate_percent", rate(breaker.failureRate()))
                    .put("slow_call_rate_percent", rate(breaker.slowCallRate()))
                    .put("calls_in_window", breaker.bufferedCalls())
                    .put("not_permitted_calls", breaker.notPermittedCalls());
            if (breakerOpen) {
                state.put("retry_after_ms", breaker.retryAfterNanos(nowNanos) / 1_000_000);
            }
            out.put("circuit_breaker", state);
        }
        return out;
    }

    /** Resilience4j reports -1 while too few calls were seen to compute a rate. */
    private static Object rate(float percent) {
        return percent < 0 ? null : Math.round(percent * 100) / 100.0;
    }
}
