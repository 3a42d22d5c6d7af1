package dev.rampart.gateway.routing;

import dev.rampart.core.config.IdentityConfig;

import java.util.HashSet;
import java.util.Set;

/**
 * The client's request headers (lower case) that are not copied into a request to an upstream, besides the
 * hop-by-hop ones: those the gateway sets itself, the client's conditionals where the gateway revalidates its own
 * copy, and the API-key header when {@code identity.hide-api-key} is on. Made once per config.
 */
public final class NotForwardedHeaders {
    private static final Set<String> ON_REQUEST = Set.of("host", "expect", "x-request-id", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-for");
    /** A cache fetch wants the whole response, whatever copy the client holds: its own conditionals stay here. */
    private static final Set<String> ON_CACHE_FETCH = Set.of("host", "expect", "x-request-id",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-for", "if-none-match", "if-modified-since",
            "if-match", "if-unmodified-since", "if-range");
    private static final Set<String> ON_CACHE_REFRESH = Set.of("host", "expect", "x-request-id", "if-none-match",
            "if-modified-since", "if-match", "if-unmodified-since", "if-range");
    private static final NotForwardedHeaders API_KEY_FORWARDED =
            new NotForwardedHeaders(ON_REQUEST, ON_CACHE_FETCH, ON_CACHE_REFRESH);

    /** On a client's request (and its WebSocket handshake) that is not a cache fetch. */
    public final Set<String> onRequest;
    /** On a client's GET or HEAD that fetches for a caching route. */
    public final Set<String> onCacheFetch;
    /** On a stale-while-revalidate background refresh, which sends the stale copy's validators instead. */
    public final Set<String> onCacheRefresh;

    private NotForwardedHeaders(Set<String> onRequest, Set<String> onCacheFetch, Set<String> onCacheRefresh) {
        this.onRequest = onRequest;
        this.onCacheFetch = onCacheFetch;
        this.onCacheRefresh = onCacheRefresh;
    }

    /** The sets for {@code identity}: those shared by every config unless its API-key header is hidden. */
    public static NotForwardedHeaders of(IdentityConfig identity) {
        if (!identity.hideApiKey()) {
            return API_KEY_FORWARDED;
        }
        String apiKeyHeader = identity.apiKeyHeader();
        return new NotForwardedHeaders(with(ON_REQUEST, apiKeyHeader), with(ON_CACHE_FETCH, apiKeyHeader),
                with(ON_CACHE_REFRESH, apiKeyHeader));
    }

    private static Set<String> with(Set<String> names, String name) {
        Set<String> all = new HashSet<>(names);
        all.add(name);
        return Set.copyOf(all);
    }
}
