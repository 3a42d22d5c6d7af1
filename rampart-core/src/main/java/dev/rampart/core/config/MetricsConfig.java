package dev.rampart.core.config;

/** Prometheus metrics, served at {@code /metrics} on the admin port. */
public record MetricsConfig(boolean enabled) {
    public static MetricsConfig defaults() {
        return new MetricsConfig(true);
    }
}
