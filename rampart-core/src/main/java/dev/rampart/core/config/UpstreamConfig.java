package dev.rampart.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A named pool of endpoints that routes send traffic to.
 *
 * @param backup           another upstream used only while this one has no endpoint available; {@code null} = none
 * @param healthCheck      active probes of the endpoints; {@code null} = none (failures are still seen passively)
 * @param circuitBreaker   when calls to the upstream stop for a while
 * @param outlierDetection when one endpoint is taken out of the rotation for a while
 * @param retryBudget      the share of the upstream's traffic that may be retries
 * @param concurrencyLimit the most requests in flight to the upstream; {@code null} = no limit beyond the pool
 */
public record UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancing, PoolConfig pool,
                             boolean tlsVerify, String backup, HealthCheckConfig healthCheck,
                             CircuitBreakerConfig circuitBreaker, OutlierDetectionConfig outlierDetection,
                             RetryBudgetConfig retryBudget, ConcurrencyLimitConfig concurrencyLimit) {
    public UpstreamConfig {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        Objects.requireNonNull(outlierDetection, "outlierDetection");
        Objects.requireNonNull(retryBudget, "retryBudget");
    }
}
