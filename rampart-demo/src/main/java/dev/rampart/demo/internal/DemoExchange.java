package dev.rampart.demo.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request to a demo service with the ways to answer it. The request arrives paused (so that no body byte is lost
 * while a latency knob waits); an endpoint that reads the body sets its handlers and resumes it.
 */
public final class DemoExchange {

    private static final Logger LOG = LoggerFactory.getLogger(DemoExchange.class);

    private final String service;
    private final HttpServerRequest request;
    private final Map<String, String> pathParams;
    private final Knobs knobs;

    DemoExchange(String service, HttpServerRequest request, Map<String, String> pathParams, Knobs knobs) {
        this.service = Objects.requireNonNull(service, "service");
        this.request = Objects.requireNonNull(request, "request");
        this.pathParams = Map.copyOf(pathParams);
        this.knobs = Objects.requireNonNull(knobs, "knobs");
    }

    public String service() {
        return service;
    }

    public HttpServerRequest request() {
        return request;
    }

    /** The knobs in force for this request: the service's, overridden by those in its query. */
    public Knobs knobs() {
        return knobs;
    }

    public HttpServerResponse response() {
        return request.response();
    }

    /** A segment captured by the route's {@code {name}}. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("no path parameter " + name + " in this route");
        }
        return value;
    }

    /** A query parameter that must be there at most once; {@code null} if absent. */
    public String queryParam(String name) {
        var values = request.params().getAll(name);
        if (values.size() > 1) {
            throw InvalidInputException.of(name, values, "a single value");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /** Answers with a JSON body. Any request body not read yet is discarded. */
    public Future<Void> json(int status, JsonObject body) {
        HttpServerResponse response = response();
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        request.resume();
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        return status == 204 || status == 304 ? response.end() : response.end(body.encode());
    }

    /** Answers with the demo's one error shape: {@code {"code", "message", "service"}}. */
    public Future<Void> error(int status, String code, String message) {
        JsonObject body = new JsonObject().put("code", code).put("message", message).put("service", service);
        String requestId = request.getHeader("x-request-id");
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        return json(status, body);
    }

    /** Answers a failure: 400 for bad input, 413 for a body too large, 500 (logged) for anything else. */
    public void fail(Throwable cause) {
        if (cause instanceof InvalidInputException) {
            error(400, "bad_request", cause.getMessage());
        } else if (cause instanceof BodyTooLargeException) {
            // the rest of the body is still on its way; closing is simpler than reading it to reuse the connection
            response().putHeader(HttpHeaders.CONNECTION, "close");
            error(413, "payload_too_large", cause.getMessage()).onComplete(v -> request.connection().close());
        } else {
            LOG.error("{} {} {} failed", service, request.method(), request.path(), cause);
            error(500, "internal_error", "the demo service failed: " + cause);
        }
    }

    /** Reads the whole body as a JSON object of at most {@code limit} bytes. */
    public Future<JsonObject> readJsonObject(int limit) {
        Promise<Buffer> body = Promise.promise();
        Buffer collected = Buffer.buffer();
        request.handler(chunk -> {
            if (collected.length() + chunk.length() > limit) {
                body.tryFail(new BodyTooLargeException("body: more than " + limit + " bytes (expected: at most "
                        + limit + " bytes)"));
                request.handler(null);
            } else {
                collected.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> body.tryComplete(collected));
        request.exceptionHandler(body::tryFail);
        request.resume();
        return body.future().map(bytes -> {
            try {
                return new JsonObject(bytes);
            } catch (DecodeException | ClassCastException e) {
                throw InvalidInputException.of("body", bytes.length() == 0 ? "(empty)" : "not a JSON object",
                        "a JSON object");
            }
        });
    }

    /** A request body over an endpoint's limit: answered 413. */
    static final class BodyTooLargeException extends RuntimeException {
        BodyTooLargeException(String message) {
            super(message, null, false, false);
        }
    }
}
