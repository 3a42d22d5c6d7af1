package dev.rampart.gateway.proxy;

import dev.rampart.core.cache.CacheControl;
import dev.rampart.core.cache.CachePolicy;
import dev.rampart.gateway.cache.CacheKey;
import dev.rampart.gateway.edge.StoredResponse;
import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The response cache at the edge, made for a GET or HEAD on a route with a cache: the lookup, answers from a stored
 * response (a 304 to the client's conditional request), the revalidation of a stale copy, and the upstream's answer
 * stored for the requests that come, and wait, after it.
 */
final class CacheStep {
    static final String CACHE_HEADER = "x-cache";

    private final Exchange exchange;
    private final CompiledRoute route;
    private final EdgeServices edge;
    private final HttpServerRequest request;
    /** This request may be answered from the cache or fill it under this key. */
    final CacheKey key;
    /** A stored response past its freshness: revalidated upstream, and served if the upstream fails in time. */
    StoredResponse staleCopy;
    /** Requests waiting on this one's answer for the same key: they are told once it is stored, or not. */
    private boolean fill;
    /** HIT, STALE, REVALIDATED, BYPASS or MISS, for the {@code X-Cache} header and the access log. */
    String status;
    /** The request said {@code Cache-Control: no-store}: its answer is not stored. */
    private boolean noStore;
    private CachePolicy.Decision storeDecision;
    private List<String> responseVary;

    CacheStep(Exchange exchange, CompiledRoute route, EdgeServices edge) {
        this.exchange = exchange;
        this.route = route;
        this.edge = edge;
        this.request = exchange.request;
        this.key = new CacheKey(route.id(), exchange.path, CachePolicy.normalizeQuery(request.query()), host(),
                extras());
    }

    void lookUp() {
        String requestCacheControl = request.getHeader("cache-control");
        if (requestCacheControl != null) {
            CacheControl asked = CacheControl.parse(request.headers().getAll("cache-control"));
            if (asked.has("no-cache") || asked.has("no-store")) {
                // the client wants the origin's answer (RFC 9111 §5.2.1): it gets one; no-store also keeps it out
                status = "BYPASS";
                noStore = asked.has("no-store");
                exchange.admit();
                return;
            }
        }
        edge.cache().lookup(key, route.cache.store(), request::getHeader)
                .onComplete(ar -> onLookup(ar.result(), true));
    }

    private String host() {
        String host = request.authority() != null ? request.authority().toString() : request.getHeader("host");
        return host == null ? "" : host.toLowerCase(Locale.ROOT);
    }

    /** The route's own key parts: header values and the client. */
    private String extras() {
        if (route.cache.keyHeaders().isEmpty() && !route.cache.keyClient()) {
            return "";
        }
        StringBuilder extras = new StringBuilder();
        for (String name : route.cache.keyHeaders()) {
            String value = request.getHeader(name);
            extras.append('\u0001').append(name).append('=').append(value == null ? "" : value.trim());
        }
        if (route.cache.keyClient()) {
            String client = exchange.client();
            extras.append("\u0001client=").append(client == null ? "" : client);
        }
        return extras.toString();
    }

    /** @param mayWait whether a miss may wait for another request's fetch of the same key */
    private void onLookup(StoredResponse stored, boolean mayWait) {
        if (exchange.finished) {
            return;
        }
        long now = System.currentTimeMillis();
        if (stored != null) {
            if (stored.fresh(now)) {
                serve(stored, "HIT");
                return;
            }
            if (stored.staleForSeconds(now) < stored.staleWhileRevalidate()) {
                serve(stored, "STALE");
                CacheRefresh.start(edge, route, key, stored, request, exchange.upstreamPathAndQuery(),
                        exchange.requestId);
                return;
            }
            staleCopy = stored;
        }
        if (!mayWait || request.method() != HttpMethod.GET) {
            exchange.admit();
            return;
        }
        CompletableFuture<StoredResponse> running = edge.cache().joinFill(key.primary());
        if (running == null) {
            fill = true;
            exchange.admit();
            return;
        }
        edge.listener().cacheCoalesced(route.id());
        ContextInternal context = ContextInternal.current();
        // the total deadline still runs: a fetch that never ends fails the waiters with a 504, not forever
        running.whenComplete((filled, failure) -> context.runOnContext(v -> {
            if (exchange.finished) {
                return;
            }
            if (filled == null) {
                exchange.admit(); // nothing was stored: this one goes upstream itself
            } else if (filled.headerValues("vary").isEmpty()) {
                serve(filled, "HIT"); // from memory: a Redis store may not have it yet
            } else {
                // the stored variant may not be this request's (Vary): look again
                edge.cache().lookup(key, route.cache.store(), request::getHeader)
                        .onComplete(ar -> onLookup(ar.result(), false));
            }
        }));
    }

    /** Answers from a stored response, with a 304 when the client's conditional request says it has this copy. */
    private void serve(StoredResponse stored, String result) {
        status = result;
        exchange.serveStored(stored, result, clientHasCurrentCopy(stored), null);
    }

    private boolean clientHasCurrentCopy(StoredResponse stored) {
        String ifNoneMatch = request.getHeader("if-none-match");
        if (ifNoneMatch != null) {
            return CachePolicy.noneMatch(ifNoneMatch, stored.header("etag"));
        }
        return CachePolicy.notModifiedSince(request.getHeader("if-modified-since"), stored.header("last-modified"));
    }

    /** Makes the upstream request revalidate the stale copy, when there is one. */
    void addValidators(MultiMap headers) {
        if (staleCopy != null) {
            CacheRefresh.addValidators(staleCopy, headers);
        }
    }

    /** Whether the stale copy may still stand in for an upstream's failure (RFC 5861 stale-if-error). */
    boolean staleCopyUsable() {
        return staleCopy != null && staleCopy.staleForSeconds(System.currentTimeMillis()) < staleCopy.staleIfError();
    }

    /** Whether the stale copy may stand in for what the upstream failed to give (RFC 5861 stale-if-error). */
    boolean staleCopyCovers(ErrorCode code, int status) {
        return staleCopyUsable() && ErrorAnswer.fallbackCovers(code, status);
    }

    void serveStale() {
        serve(staleCopy, "STALE");
    }

    /**
     * The upstream's answer head, before it is sent: decides whether it is stored, and says MISS (or BYPASS) in its
     * {@code X-Cache}. Returns how much of its body the cache keeps, or -1 when it keeps none.
     */
    long prepareStore(HttpClientResponse upstream, int status, MultiMap sentHeaders) {
        long limit = -1;
        storeDecision = request.method() == HttpMethod.GET && !noStore
                ? route.cachePolicy.decide(status, name -> upstream.headers().getAll(name),
                        request.headers().contains("authorization"), System.currentTimeMillis())
                : null;
        long declared = contentLength(upstream);
        if (storeDecision != null && storeDecision.stored() && storeDecision.keepSeconds() > 0
                && declared <= route.cache.maxObjectSize()) {
            limit = route.cache.maxObjectSize();
            responseVary = CachePolicy.varyNames(upstream.headers().getAll("vary"));
        } else {
            storeDecision = null;
            releaseWaiters(null); // nothing will be stored: those waiting go upstream at once
        }
        this.status = this.status == null ? "MISS" : this.status;
        sentHeaders.set(CACHE_HEADER, this.status);
        return limit;
    }

    private static long contentLength(HttpClientResponse upstream) {
        String length = upstream.getHeader("content-length");
        try {
            return length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The whole upstream answer has been sent: stores it if it was to be stored and fits. */
    void store(int status, List<Map.Entry<String, String>> headers, Buffer body) {
        long now = System.currentTimeMillis();
        if (storeDecision != null) {
            if (body != null && body.length() <= route.cache.maxObjectSize()) {
                CachePolicy.Decision d = storeDecision;
                StoredResponse entry = new StoredResponse(status, headers, body, now,
                        d.freshSeconds() - d.ageAtArrivalSeconds(), d.staleWhileRevalidate(),
                        d.staleIfError(), d.ageAtArrivalSeconds());
                Future<Void> persisted = edge.cache().store(key, route.cache.store(), responseVary,
                        request::getHeader, entry);
                edge.listener().cacheStored(route.id(), body.length());
                releaseWaiters(entry, persisted);
            }
            storeDecision = null;
        }
    }

    /** Tells the requests waiting on this one's fetch what it stored (null: nothing; they go upstream). */
    void releaseWaiters(StoredResponse stored) {
        releaseWaiters(stored, Future.succeededFuture());
    }

    private void releaseWaiters(StoredResponse stored, Future<Void> persisted) {
        if (fill) {
            fill = false;
            edge.cache().fillDone(key.primary(), stored, persisted);
        }
    }

    /** A 304 to the revalidation of the stale copy: it is fresh again, with the headers the 304 updates. */
    void onRevalidated(HttpClientResponse upstream) {
        StoredResponse refreshed = CacheRefresh.revalidated(staleCopy, upstream.headers(), route,
                request.headers().contains("authorization"), System.currentTimeMillis());
        if (refreshed != null) {
            edge.cache().store(key, route.cache.store(), CachePolicy.varyNames(refreshed.headerValues("vary")),
                    request::getHeader, refreshed);
        }
        releaseWaiters(refreshed);
        serve(refreshed != null ? refreshed : staleCopy.refreshed(staleCopy.headers(),
                System.currentTimeMillis(), 0, 0, 0), "REVALIDATED");
    }

    /** The exchange is over: waiters are released, and the lookup counts once, whatever became of the request. */
    void finish() {
        releaseWaiters(null);
        // every lookup counts once, a miss that ended in an error too: the hit ratio is not flattered
        status = status == null ? "MISS" : status;
        edge.listener().cacheResult(route.id(), status.toLowerCase(Locale.ROOT));
    }

    /**
     * A write succeeded: what the cache holds for its path is out of date (RFC 9111 §4.4), and so are the paths the
     * route names in {@code cache-purge}.
     */
    static void purgeAfterWrite(EdgeServices edge, RouteTable table, CompiledRoute route, String path) {
        List<String> caching = table.cachingRoutes();
        if (caching.isEmpty()) {
            return;
        }
        edge.cache().purgePath(caching, path);
        for (String purge : route.config().cachePurge()) {
            if (purge.endsWith("*")) {
                edge.cache().purgePrefix(null, purge.substring(0, purge.length() - 1));
            } else {
                edge.cache().purgePath(caching, purge);
            }
        }
    }
}
