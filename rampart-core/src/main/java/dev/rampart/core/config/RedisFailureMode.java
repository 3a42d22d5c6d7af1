package dev.rampart.core.config;

/** What a route's rate limits do while the shared Redis state cannot be reached in time. */
public enum RedisFailureMode {
    /** Each instance limits on its own, allowing its share of every limit (the limit divided by the instances). */
    LOCAL("local"),
    /** Requests are let through unlimited by rate (fail open). */
    OPEN("open"),
    /** Requests are refused (fail closed). */
    CLOSED("closed");

    private final String configName;

    RedisFailureMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
