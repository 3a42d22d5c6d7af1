package dev.rampart.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

import java.util.List;
import java.util.Map;

/** The upstream's answer teed as it streams to the client, for the cache and the idempotency record that keep it. */
final class ResponseRecording {
    /** Null when the answer is not to be cached. */
    private final CacheStep cache;
    /** Null when the request takes no idempotency key. */
    private final IdempotencyStep idempotency;
    private final long limit;
    /** The response's end-to-end headers as they are to be stored. */
    private final List<Map.Entry<String, String>> headers;
    private final Buffer body = Buffer.buffer();

    private ResponseRecording(CacheStep cache, IdempotencyStep idempotency, long limit,
                              List<Map.Entry<String, String>> headers) {
        this.cache = cache;
        this.idempotency = idempotency;
        this.limit = limit;
        this.headers = headers;
    }

    /**
     * The upstream's answer head, before it is sent: decides what of it is stored. Null when nothing is.
     *
     * @param keyClaimed whether the request holds an idempotency key
     */
    static ResponseRecording start(CacheStep cache, IdempotencyStep idempotency, boolean keyClaimed,
                                   HttpClientResponse upstream, int status, MultiMap sentHeaders) {
        long limit = -1;
        if (cache != null) {
            limit = cache.prepareStore(upstream, status, sentHeaders);
        }
        if (keyClaimed) {
            limit = Math.max(limit, idempotency.maxResponseSize());
        }
        return limit < 0 ? null
                : new ResponseRecording(cache, idempotency, limit, CacheRefresh.storableHeaders(sentHeaders));
    }

    /** Keeps a chunk of the body; false when the body grew too large for every store that wanted it. */
    boolean append(Buffer chunk) {
        if (body.length() + chunk.length() > limit) {
            if (cache != null) {
                cache.releaseWaiters(null);
            }
            return false;
        }
        body.appendBuffer(chunk);
        return true;
    }

    /** The whole upstream answer has been sent: stores it where it is wanted. */
    void store(int status) {
        if (cache != null) {
            cache.store(status, headers, body);
        }
        if (idempotency != null && idempotency.claim != null) {
            idempotency.complete(status, headers, body.length() <= idempotency.maxResponseSize() ? body : null);
        }
    }
}
