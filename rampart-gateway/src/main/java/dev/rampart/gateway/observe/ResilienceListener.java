package dev.rampart.gateway.observe;

/**
 * Told what the resilience policies did to a request, on its event loop: so implementations must be quick and must
 * not block. Labels passed in come from configured names and fixed sets only.
 */
public interface ResilienceListener {
    ResilienceListener NONE = new ResilienceListener() {
    };

    /**
     * One upstream attempt ended.
     *
     * @param kind    {@code first}, {@code retry} or {@code hedge}
     * @param outcome {@code response} (it answered, whatever the status), {@code retryable_status},
     *                {@code connect_failure}, {@code reset}, {@code timeout}, {@code bad_response},
     *                {@code pool_busy} or {@code cancelled} (lost a hedge race, or the request ended first)
     */
    default void attemptFinished(String upstream, String kind, String outcome) {
    }

    /** A retry or hedge that the policy wanted but did not send: {@code budget}, {@code deadline} or {@code overload}. */
    default void retrySuppressed(String upstream, String reason) {
    }

    /** A request refused by a concurrency limit: {@code route} or {@code upstream}. */
    default void shed(String route, String limiter) {
    }

    /** The route's fallback answered; {@code reason} is the error code it stands in for. */
    default void fallbackServed(String route, String reason) {
    }

    /** A chaos drill injected a fault: {@code delay}, {@code abort} or {@code reset}. */
    default void faultInjected(String route, String kind) {
    }
}
