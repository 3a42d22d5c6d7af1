package dev.rampart.gateway.proxy;

import dev.rampart.core.cache.CachePolicy;
import dev.rampart.core.config.Endpoint;
import dev.rampart.gateway.cache.CacheKey;
import dev.rampart.gateway.edge.StoredResponse;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.upstream.EndpointState;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * stale-while-revalidate (RFC 5861): the client already has the stale copy; one background request per key, bounded
 * by the route's total timeout, fetches a fresh one (conditionally, when the copy has a validator). A failure leaves
 * the stale copy in place for its remaining windows.
 */
final class CacheRefresh {
    private static final Logger log = LoggerFactory.getLogger(CacheRefresh.class);
    /** Headers a stored response never keeps: they belong to one exchange, or are recomputed when it is sent. */
    static final Set<String> NOT_STORED = Set.of("x-request-id", "ratelimit-policy", "ratelimit", "server-timing",
            "x-cache", "connection", "x-rampart-fault", "age", "content-length", "transfer-encoding", "retry-after",
            "idempotent-replayed", "keep-alive", "trailer", "upgrade", "te", "proxy-authenticate");

    private CacheRefresh() {
    }

    static void start(EdgeServices edge, CompiledRoute route, CacheKey key, StoredResponse stale,
                      HttpServerRequest request, String uri, String requestId) {
        String primary = key.primary();
        if (!edge.cache().startRefresh(primary)) {
            return; // one refresh per key
        }
        UpstreamCluster cluster = route.upstream();
        long startNanos = System.nanoTime();
        EndpointState endpoint = cluster.pickAvailable(null, startNanos);
        if (endpoint == null) {
            edge.cache().refreshDone(primary);
            return;
        }
        MultiMap requestHeaders = HttpHeaders.headers().addAll(request.headers()); // kept: Vary reads them later
        boolean authorization = requestHeaders.contains("authorization");
        MultiMap headers = HttpHeaders.headers();
        HopByHopHeaders.copy(requestHeaders, headers, route.notForwarded.onCacheRefresh);
        headers.set("x-request-id", requestId);
        addValidators(stale, headers);
        Endpoint target = endpoint.endpoint();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.host())
                .setPort(target.port()).setSsl(target.tls()).setURI(uri)
                .setHeaders(headers.set("host", target.authority())).setConnectTimeout(route.connectTimeoutMillis);
        endpoint.requestStarted();
        cluster.client().request(options)
                .compose(upstream -> upstream.send().compose(response -> readBounded(response,
                        route.cache.maxObjectSize()).map(body -> Map.entry(response, body))))
                .timeout(route.totalTimeoutMillis, TimeUnit.MILLISECONDS)
                .onComplete(ar -> {
                    endpoint.requestFinished();
                    long now = System.nanoTime();
                    boolean failed = ar.failed() || ar.result().getKey().statusCode() >= 500;
                    cluster.recordOutcome(endpoint, failed, ar.failed(), now - startNanos, now);
                    try {
                        if (ar.succeeded()) {
                            store(edge, route, key, stale, ar.result().getKey(), ar.result().getValue(),
                                    requestHeaders, authorization);
                        } else {
                            log.atDebug().addKeyValue("route", route.id()).addKeyValue("request_id", requestId)
                                    .addKeyValue("cause", String.valueOf(ar.cause().getMessage()))
                                    .log("background cache refresh failed; the stale copy stays");
                        }
                    } finally {
                        edge.cache().refreshDone(primary);
                    }
                });
    }

    private static void store(EdgeServices edge, CompiledRoute route, CacheKey key, StoredResponse stale,
                              HttpClientResponse response, Buffer body, MultiMap requestHeaders,
                              boolean authorization) {
        long now = System.currentTimeMillis();
        StoredResponse fresh;
        if (response.statusCode() == 304) {
            fresh = revalidated(stale, response.headers(), route, authorization, now);
        } else {
            if (body == null) {
                return; // larger than the cache keeps
            }
            CachePolicy.Decision d = route.cachePolicy.decide(response.statusCode(),
                    name -> response.headers().getAll(name), authorization, now);
            fresh = !d.stored() ? null : new StoredResponse(response.statusCode(), storableHeaders(response.headers()),
                    body, now, d.freshSeconds() - d.ageAtArrivalSeconds(), d.staleWhileRevalidate(),
                    d.staleIfError(), d.ageAtArrivalSeconds());
        }
        if (fresh != null) {
            edge.cache().store(key, route.cache.store(), CachePolicy.varyNames(fresh.headerValues("vary")),
                    requestHeaders::get, fresh);
            edge.listener().cacheStored(route.id(), fresh.body().length());
        }
    }

    /** The body, or null when it is larger than {@code limit} (the connection is then reset). */
    private static Future<Buffer> readBounded(HttpClientResponse response, long limit) {
        Promise<Buffer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        boolean[] over = {false};
        response.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                over[0] = true;
                response.request().reset();
                done.tryComplete(null);
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(failure -> done.tryFail(failure));
        response.endHandler(v -> done.tryComplete(over[0] ? null : body));
        return done.future();
    }

    /** End-to-end headers of a response as a stored copy keeps them, names lower-cased. */
    /** Makes a request revalidate the stored copy: a 304 makes it fresh again without a body. */
    static void addValidators(StoredResponse stored, MultiMap headers) {
        String etag = stored.header("etag");
        String lastModified = stored.header("last-modified");
        if (etag != null) {
            headers.set("if-none-match", etag);
        } else if (lastModified != null) {
            headers.set("if-modified-since", lastModified);
        }
    }

    static List<Map.Entry<String, String>> storableHeaders(MultiMap headers) {
        List<Map.Entry<String, String>> kept = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_STORED.contains(name)) {
                kept.add(Map.entry(name, header.getValue()));
            }
        }
        return kept;
    }

    /**
     * A stored copy made fresh again by a 304: its headers updated by those of the 304 (RFC 9111 §3.2), its
     * freshness computed anew. Null when the updated headers no longer allow storing it.
     */
    static StoredResponse revalidated(StoredResponse stale, MultiMap updates, CompiledRoute route,
                                      boolean authorization, long nowMillis) {
        List<Map.Entry<String, String>> merged = new ArrayList<>();
        for (Map.Entry<String, String> header : stale.headers()) {
            if (!updates.contains(header.getKey())) {
                merged.add(header);
            }
        }
        merged.addAll(storableHeaders(updates));
        StoredResponse candidate = stale.refreshed(merged, nowMillis, 0, 0, 0);
        CachePolicy.Decision d = route.cachePolicy.decide(stale.status(), candidate::headerValues, authorization,
                nowMillis);
        return d.stored() ? stale.refreshed(merged, nowMillis, d.freshSeconds() - d.ageAtArrivalSeconds(),
                d.staleWhileRevalidate(), d.staleIfError()) : null;
    }
}
