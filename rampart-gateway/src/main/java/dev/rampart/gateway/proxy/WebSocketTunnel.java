package dev.rampart.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetSocket;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The bytes of an upgraded connection, both ways between the client and the upstream once the upstream said 101:
 * Rampart does not read WebSocket frames, it relays them, with backpressure (a side that cannot keep up pauses the
 * other) and byte counts. When either side ends, fails or closes, both are closed, once.
 * Used only on the exchange's event loop.
 */
final class WebSocketTunnel {
    /** Why a tunnel ended, for the log. */
    enum End { CLIENT_CLOSED, UPSTREAM_CLOSED, IDLE }

    private final NetSocket client;
    private final NetSocket upstream;
    private final Runnable onActivity;
    private final Consumer<End> onEnd;
    private long bytesFromClient;
    private long bytesFromUpstream;
    private boolean ended;

    /**
     * Starts relaying. {@code upstream} may have been paused to hold what came right after its 101; it is resumed.
     *
     * @param onActivity told of every chunk either way (the idle timeout's clock)
     * @param onEnd      told once, after both sides were closed
     */
    WebSocketTunnel(NetSocket client, NetSocket upstream, Runnable onActivity, Consumer<End> onEnd) {
        this.client = client;
        this.upstream = upstream;
        this.onActivity = onActivity;
        this.onEnd = onEnd;
        client.handler(chunk -> {
            bytesFromClient += chunk.length();
            relay(chunk, client, upstream);
        });
        upstream.handler(chunk -> {
            bytesFromUpstream += chunk.length();
            relay(chunk, upstream, client);
        });
        client.endHandler(v -> end(End.CLIENT_CLOSED));
        client.closeHandler(v -> end(End.CLIENT_CLOSED));
        client.exceptionHandler(e -> end(End.CLIENT_CLOSED));
        upstream.endHandler(v -> end(End.UPSTREAM_CLOSED));
        upstream.closeHandler(v -> end(End.UPSTREAM_CLOSED));
        upstream.exceptionHandler(e -> end(End.UPSTREAM_CLOSED));
        upstream.resume();
    }

    /**
     * Whether a request asks to become a WebSocket (RFC 6455 §4.1): an HTTP/1.1 GET whose Connection names
     * {@code upgrade} and whose Upgrade names {@code websocket}. Other upgrades (h2c, TLS) are not tunnelled.
     */
    static boolean isRequested(HttpServerRequest request) {
        MultiMap headers = request.headers();
        // nearly every request has no Upgrade header: that answer costs one lookup, and no list of values
        if (!headers.contains("upgrade") || request.method() != HttpMethod.GET
                || request.version() != HttpVersion.HTTP_1_1) {
            return false;
        }
        return hasToken(headers.getAll("connection"), "upgrade") && hasToken(headers.getAll("upgrade"), "websocket");
    }

    private static boolean hasToken(Iterable<String> values, String token) {
        for (String value : values) {
            for (String part : value.split(",")) {
                String t = part.trim().toLowerCase(Locale.ROOT);
                // an Upgrade token may carry a version ("websocket/13" is not sent, but is allowed by RFC 9110)
                if (t.equals(token) || t.startsWith(token + "/")) {
                    return true;
                }
            }
        }
        return false;
    }

    long bytesFromClient() {
        return bytesFromClient;
    }

    long bytesFromUpstream() {
        return bytesFromUpstream;
    }

    /** Closes both sides (the idle timeout, or a side gone); the end is reported once. */
    void close(End why) {
        end(why);
    }

    private void relay(io.vertx.core.buffer.Buffer chunk, NetSocket from, NetSocket to) {
        onActivity.run();
        to.write(chunk);
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
        }
    }

    private void end(End why) {
        if (ended) {
            return;
        }
        ended = true;
        client.close();
        upstream.close();
        onEnd.accept(why);
    }
}
