package dev.rampart.gateway.listener;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.BiConsumer;

/** Answers requests the decoder could not accept (431, 414, 400) with the JSON error shape, then closes. */
public final class InvalidRequestHandler implements Handler<HttpServerRequest> {
    private final BiConsumer<HttpServerRequest, ErrorCode> onRejected;

    /** @param onRejected told of each rejection, for the access log */
    public InvalidRequestHandler(BiConsumer<HttpServerRequest, ErrorCode> onRejected) {
        this.onRejected = onRejected;
    }

    @Override
    public void handle(HttpServerRequest request) {
        ErrorCode code = classify(request.decoderResult() == null ? null : request.decoderResult().cause());
        HttpServerResponse response = request.response();
        response.setStatusCode(code.status())
                .putHeader("content-type", "application/json")
                .putHeader("connection", "close");
        response.end(ErrorResponses.buffer(code, null)).onComplete(ar -> request.connection().close());
        onRejected.accept(request, code);
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
        return ErrorCode.BAD_REQUEST;
    }
}
