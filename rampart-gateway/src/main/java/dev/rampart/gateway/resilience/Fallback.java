package dev.rampart.gateway.resilience;

import dev.rampart.core.config.FallbackConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

import java.nio.charset.StandardCharsets;

/** A route's static answer for when its upstream is unavailable: status, headers and body, built once. */
public final class Fallback {
    /** Marks a fallback answer, with the reason (an error code), for clients and logs. */
    public static final String HEADER = "x-rampart-fallback";

    private final int status;
    private final MultiMap headers;
    private final Buffer body;

    public Fallback(FallbackConfig config) {
        this.status = config.status();
        this.headers = HttpHeaders.headers();
        config.headers().forEach(headers::add);
        this.body = Buffer.buffer(config.body().getBytes(StandardCharsets.UTF_8));
    }

    public int status() {
        return status;
    }

    public MultiMap headers() {
        return headers;
    }

    /** The body; a copy per response, since a sent buffer belongs to the connection. */
    public Buffer body() {
        return body.copy();
    }
}
