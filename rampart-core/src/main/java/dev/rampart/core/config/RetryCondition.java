package dev.rampart.core.config;

/** A failure, other than a response status, after which a route's request may be tried again. */
public enum RetryCondition {
    /** The connection to the endpoint could not be opened (refused, unreachable, connect timeout). */
    CONNECT_FAILURE("connect-failure"),
    /** The connection was reset or closed before any byte of the response arrived. */
    RESET("reset"),
    /** The attempt ran out of its {@link RetryConfig#perTryTimeout()}. */
    PER_TRY_TIMEOUT("per-try-timeout");

    private final String configName;

    RetryCondition(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
