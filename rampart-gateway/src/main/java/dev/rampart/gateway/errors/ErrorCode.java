package dev.rampart.gateway.errors;

/** Every error a client can get from Rampart itself: a stable code, an HTTP status and a message safe to show. */
public enum ErrorCode {
    BAD_REQUEST(400, "bad_request", "The request is malformed."),
    AMBIGUOUS_LENGTH(400, "ambiguous_message_length", "The request carries conflicting message length information."),
    BAD_CHUNK(400, "bad_chunk", "The request body is not valid chunked encoding."),
    MISSING_HOST(400, "missing_host", "HTTP/1.1 requests need exactly one Host header."),
    BAD_PATH(400, "bad_path", "The request path is not valid."),
    UNAUTHORIZED(401, "unauthorized", "A valid API key is required for this route."),
    FORBIDDEN(403, "forbidden", "This client may not use this route."),
    ROUTE_NOT_FOUND(404, "route_not_found", "No route matches this request."),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "This method is not supported by the gateway."),
    HEADER_READ_TIMEOUT(408, "request_timeout", "The request headers took too long to arrive."),
    BODY_TOO_LARGE(413, "body_too_large", "The request body is larger than this route accepts."),
    URI_TOO_LONG(414, "uri_too_long", "The request line is too long."),
    IDEMPOTENCY_KEY_MISSING(400, "idempotency_key_missing", "This route requires an Idempotency-Key header."),
    IDEMPOTENCY_KEY_INVALID(400, "idempotency_key_invalid",
            "The Idempotency-Key header must hold 1 to 255 visible ASCII characters."),
    IDEMPOTENCY_KEY_IN_USE(409, "idempotency_key_in_use",
            "A request with this Idempotency-Key is still being processed; retry shortly."),
    IDEMPOTENCY_RESPONSE_UNAVAILABLE(409, "idempotency_response_unavailable",
            "A request with this Idempotency-Key already reached the service; its response cannot be replayed."),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request."),
    RATE_LIMITED(429, "rate_limited", "Too many requests; retry after the time in Retry-After."),
    TOO_MANY_CONCURRENT(429, "too_many_concurrent_requests", "Too many requests in flight for this client; retry shortly."),
    HEADERS_TOO_LARGE(431, "headers_too_large", "The request headers are too large."),
    CLIENT_BODY_TIMEOUT(408, "client_body_timeout", "The request body stopped arriving."),
    /** Never sent (the response has started); recorded when a client stops reading its response. */
    CLIENT_TOO_SLOW(408, "client_too_slow", "The client stopped reading the response."),
    /** Never sent; recorded when the client goes away first (nginx's 499). */
    CLIENT_CLOSED(499, "client_closed_request", "The client closed the connection."),
    INTERNAL(500, "internal_error", "Something went wrong in the gateway."),
    NOT_IMPLEMENTED(501, "not_implemented", "This transfer encoding is not supported."),
    /** Sent with the upstream's own 5xx status when its error body is masked (rule 13). */
    UPSTREAM_ERROR(502, "upstream_error", "The service failed to handle the request."),
    UPSTREAM_UNAVAILABLE(502, "upstream_unavailable", "The service could not be reached."),
    UPSTREAM_RESET(502, "upstream_reset", "The service closed the connection unexpectedly."),
    UPSTREAM_BAD_RESPONSE(502, "upstream_bad_response", "The service sent an invalid response."),
    UPSTREAM_OVERLOADED(503, "upstream_overloaded", "The service is too busy right now."),
    RATE_LIMIT_UNAVAILABLE(503, "rate_limit_unavailable", "Rate limits cannot be checked right now; retry shortly."),
    CIRCUIT_OPEN(503, "circuit_open", "The service is failing; requests to it are paused for a moment."),
    NO_HEALTHY_UPSTREAM(503, "no_healthy_upstream", "No instance of the service is available right now."),
    LOAD_SHED(503, "load_shed", "The service is at capacity; retry shortly."),
    PAUSED(503, "paused", "This operation is paused by an operator; retry later."),
    /** Sent with the status the drill configures. */
    FAULT_INJECTED(503, "fault_injected", "A fault was injected by a resilience drill."),
    SHUTTING_DOWN(503, "shutting_down", "The gateway is shutting down; retry on another instance."),
    HTTP_VERSION_NOT_SUPPORTED(505, "http_version_not_supported", "Only HTTP/1.0 and HTTP/1.1 are supported."),
    UPSTREAM_CONNECT_TIMEOUT(504, "upstream_connect_timeout", "The service could not be reached in time."),
    UPSTREAM_TIMEOUT(504, "upstream_timeout", "The service took too long to respond.");

    private final int status;
    private final String code;
    private final String message;

    ErrorCode(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }
}
