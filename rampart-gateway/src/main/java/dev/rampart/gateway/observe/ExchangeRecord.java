package dev.rampart.gateway.observe;

/**
 * Everything known about one finished request: what the access log, metrics and latency windows are built from.
 * Names of routes and upstreams come from the config, so anything keyed by them has bounded cardinality.
 *
 * @param route          route id, or null when none matched (or the request was refused before routing)
 * @param upstream       upstream name, or null
 * @param endpoint       the endpoint used ({@code http://host:port}), or null
 * @param method         null when the request could not be parsed
 * @param path           normalised path without the query; null when the request could not be parsed
 * @param query          raw query string, or null
 * @param status         status sent to the client (499 when the client left first)
 * @param upstreamStatus status the upstream answered, or 0 when it never did
 * @param errorCode      the {@code ErrorCode} code, or null
 * @param queueNanos     time waiting for a pooled connection, or -1 when no upstream call was made
 * @param connectNanos   time opening a new upstream connection (0 when a pooled one was reused), or -1
 * @param firstByteNanos from the connection obtained to the upstream's response head, or -1
 * @param upstreamNanos  from the connection obtained to the end of the upstream response, or -1
 * @param attempts       upstream attempts made (retries and hedges included); 0 when none was
 * @param fallback       why the route's fallback answered instead of the upstream (an error code), or null
 * @param fault          the fault a chaos drill injected ({@code delay}, {@code abort}, {@code reset}), or null
 * @param client         the declared client that sent the request, or null
 * @param rateLimit      the rate limit that refused the request, or null
 * @param cache          the cache's part ({@code HIT}, {@code MISS}, {@code STALE}, {@code REVALIDATED}), or null
 * @param idempotency    what the request's idempotency key did ({@code stored}, {@code replayed}, …), or null
 */
public record ExchangeRecord(long startEpochMillis, String route, String upstream, String endpoint, String method,
                             String path, String query, int status, long durationNanos, int upstreamStatus,
                             long bytesIn, long bytesOut, String requestId, String clientIp, String errorCode,
                             long queueNanos, long connectNanos, long firstByteNanos, long upstreamNanos,
                             String traceId, String spanId, int attempts, String fallback, String fault,
                             String client, String rateLimit, String cache, String idempotency) {

    /** A request that did not touch the cache or an idempotency key. */
    public ExchangeRecord(long startEpochMillis, String route, String upstream, String endpoint, String method,
                          String path, String query, int status, long durationNanos, int upstreamStatus,
                          long bytesIn, long bytesOut, String requestId, String clientIp, String errorCode,
                          long queueNanos, long connectNanos, long firstByteNanos, long upstreamNanos,
                          String traceId, String spanId, int attempts, String fallback, String fault,
                          String client, String rateLimit) {
        this(startEpochMillis, route, upstream, endpoint, method, path, query, status, durationNanos, upstreamStatus,
                bytesIn, bytesOut, requestId, clientIp, errorCode, queueNanos, connectNanos, firstByteNanos,
                upstreamNanos, traceId, spanId, attempts, fallback, fault, client, rateLimit, null, null);
    }

    /** A request that made at most one upstream attempt, without fallback or fault. */
    public ExchangeRecord(long startEpochMillis, String route, String upstream, String endpoint, String method,
                          String path, String query, int status, long durationNanos, int upstreamStatus,
                          long bytesIn, long bytesOut, String requestId, String clientIp, String errorCode,
                          long queueNanos, long connectNanos, long firstByteNanos, long upstreamNanos,
                          String traceId, String spanId) {
        this(startEpochMillis, route, upstream, endpoint, method, path, query, status, durationNanos, upstreamStatus,
                bytesIn, bytesOut, requestId, clientIp, errorCode, queueNanos, connectNanos, firstByteNanos,
                upstreamNanos, traceId, spanId, queueNanos >= 0 ? 1 : 0, null, null, null, null, null, null);
    }

    /** {@code 2xx}, {@code 4xx}, …: a bounded label for the status. */
    public String statusClass() {
        return switch (status / 100) {
            case 1 -> "1xx";
            case 2 -> "2xx";
            case 3 -> "3xx";
            case 4 -> "4xx";
            default -> "5xx";
        };
    }
}
