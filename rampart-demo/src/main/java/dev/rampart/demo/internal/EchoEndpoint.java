package dev.rampart.demo.internal;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /echo} and {@code /echo/…}, any method: describes the request as it arrived (method, path, query, every
 * header, body size), so that a test can check what a proxy forwarded. The body is counted as it streams, never
 * held, so it may be of any size.
 */
final class EchoEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(EchoEndpoint.class);

    private EchoEndpoint() {
    }

    static void handle(DemoExchange exchange) {
        HttpServerRequest request = exchange.request();
        long[] bodyBytes = {0};
        request.handler(chunk -> bodyBytes[0] += chunk.length());
        request.exceptionHandler(e -> LOG.debug("{}: echo of {} ended early: {}", exchange.service(), request.uri(),
                e.toString())); // the client went away; there is no one left to answer
        request.endHandler(v -> exchange.json(200, describe(exchange, bodyBytes[0])));
        request.resume();
    }

    private static JsonObject describe(DemoExchange exchange, long bodyBytes) {
        HttpServerRequest request = exchange.request();
        JsonObject headers = new JsonObject();
        for (String name : request.headers().names()) {
            // names() may hold one name in several cases; HTTP says they are one header, so are its values
            headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", request.headers().getAll(name)));
        }
        return new JsonObject()
                .put("service", exchange.service())
                .put("method", request.method().name())
                .put("uri", request.uri())
                .put("path", request.path())
                .put("query", request.query())
                .put("http_version", switch (request.version()) {
                    case HTTP_1_0 -> "HTTP/1.0";
                    case HTTP_1_1 -> "HTTP/1.1";
                    case HTTP_2 -> "HTTP/2";
                })
                .put("remote_address", String.valueOf(request.remoteAddress()))
                .put("headers", headers)
                .put("body_bytes", bodyBytes);
    }
}
