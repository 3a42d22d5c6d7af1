package dev.rampart.gateway.observe;

/** What happens at the edge of a route before its upstream: cache results, idempotency keys, paused side effects. */
public interface EdgeListener {
    EdgeListener NONE = new EdgeListener() {
    };

    /** A cacheable request's result: hit, miss, stale, revalidated or bypass. */
    default void cacheResult(String route, String result) {
    }

    /** A miss that waited for the upstream request another one had under way for the same key. */
    default void cacheCoalesced(String route) {
    }

    /** A response stored in the cache. */
    default void cacheStored(String route, long bytes) {
    }

    /**
     * An idempotency key's outcome: stored, replayed, in_flight (409), reused (422), missing or invalid (400),
     * released (the request never reached the upstream), detached (the client left; the upstream's answer is
     * still awaited), unknown (it never came).
     */
    default void idempotency(String route, String outcome) {
    }

    /** A request refused because its side-effect route is paused. */
    default void paused(String route) {
    }
}
