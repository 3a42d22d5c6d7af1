package dev.rampart.core.config;

/** How an upstream picks an endpoint for each request. */
public enum LoadBalancing {
    /** Each endpoint in turn. */
    ROUND_ROBIN("round-robin"),
    /** The less busy of two endpoints picked at random (power of two choices). */
    LEAST_REQUEST("least-request");

    private final String configName;

    LoadBalancing(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
