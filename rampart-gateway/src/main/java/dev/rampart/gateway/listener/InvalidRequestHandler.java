package dev.rampart.gateway.listener;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import dev.rampart.gateway.proxy.RequestIds;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.Consumer;

/** Answers requests the decoder could not accept (431, 414, 400) with the JSON error shape, then closes. */
public final class InvalidRequestHandler implements Handler<HttpServerRequest> {
    private final Consumer<Rejection> onRejected;

    /** @param onRejected told of each rejection, for the access log */
    public InvalidRequestHandler(Consumer<Rejection> onRejected) {
        this.onRejected = onRejected;
    }

    @Override
    public void handle(HttpServerRequest request) {
        ErrorCode code = classify(request.decoderResult() == null ? null : request.decoderResult().cause());
        String requestId = RequestIds.generate();
        Buffer body = ErrorResponses.buffer(code, requestId);
        HttpServerResponse response = request.response();
        response.setStatusCode(code.status())
                .putHeader("content-type", "application/json")
                .putHeader("x-request-id", requestId)
                .putHeader("connection", "close");
        response.end(body).onComplete(ar -> request.connection().close());
        onRejected.accept(new Rejection(request, code, requestId, body.length()));
    }

    /** What the access log needs to know about a refused request. */
    public record Rejection(HttpServerRequest request, ErrorCode error, String requestId, int bytesOut) {
    }

    static ErrorCode classify(Throwable cause) {
        if (cause instanceof RequestRejected rejected) {
            return rejected.error();
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return ErrorCode.HEADERS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return ErrorCode.URI_TOO_LONG;
        }
        if (cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage()).contains("Content-Length")) {
            return ErrorCode.AMBIGUOUS_LENGTH; // Netty: "Multiple Content-Length values found"
        }
        return ErrorCode.BAD_REQUEST;
    }
}
