package dev.rampart.it.support;

import io.netty.channel.ChannelOption;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One upstream endpoint whose behaviour a test switches while the gateway runs: answer well, answer a status (with
 * or without the overload header), hang, reset the connection, or answer slowly; and a {@code /healthz} that passes
 * or fails on demand. It keeps every request it received (not the health checks), so a test can see what reached it,
 * how often, with which headers and which body.
 */
public final class ScriptedUpstream {
    /** The health-check path; requests to it are answered by the health switch and not recorded. */
    public static final String HEALTH_PATH = "/healthz";

    private final String name;
    private final String url;
    private final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.ok());
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private ScriptedUpstream(Upstreams upstreams, String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.url = upstreams.http(request -> handle(upstreams, request));
    }

    /** Starts an endpoint on a free loopback port; it answers 200 with its {@code name} as the body until told otherwise. */
    public static ScriptedUpstream start(Upstreams upstreams, String name) {
        return new ScriptedUpstream(upstreams, name);
    }

    /** {@code http://127.0.0.1:<port>}, as the gateway config and its logs name the endpoint. */
    public String url() {
        return url;
    }

    /** What an answer from this endpoint carries as its body (when it answers 200). */
    public String name() {
        return name;
    }

    /** From now on, requests get this behaviour. */
    public ScriptedUpstream behave(Behaviour next) {
        behaviour.set(Objects.requireNonNull(next, "next"));
        return this;
    }

    /** Whether {@code /healthz} answers 200 (true) or 503 (false). */
    public ScriptedUpstream healthy(boolean passes) {
        healthy.set(passes);
        return this;
    }

    /** How many requests (health checks aside) reached this endpoint so far. */
    public int requests() {
        return received.size();
    }

    /** The requests received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests that carried this {@code x-request-id}. */
    public List<Received> received(String requestId) {
        List<Received> found = new ArrayList<>();
        for (Received request : received) {
            if (requestId.equals(request.header("x-request-id"))) {
                found.add(request);
            }
        }
        return found;
    }

    private void handle(Upstreams upstreams, HttpServerRequest request) {
        if (request.path().equals(HEALTH_PATH)) {
            request.response().setStatusCode(healthy.get() ? 200 : 503).end(healthy.get() ? "ok" : "sick");
            return;
        }
        Behaviour now = behaviour.get();
        request.body().onSuccess(body -> {
            received.add(new Received(request.method().name(), request.uri(), copy(request.headers()),
                    body.getBytes(), System.nanoTime()));
            HttpServerResponse response = request.response();
            switch (now.kind()) {
                case OK -> response.putHeader("content-type", "text/plain").end(name);
                case STATUS -> {
                    now.headers().forEach(response::putHeader);
                    response.setStatusCode(now.status()).putHeader("content-type", "text/plain")
                            .end(name + " says " + now.status());
                }
                case HANG -> {
                    // never answers; the gateway gives up on it
                }
                case RESET -> reset(request);
                case SLOW -> upstreams.vertx().setTimer(now.delay().toMillis(), t -> {
                    if (!response.closed() && !response.ended()) {
                        response.putHeader("content-type", "text/plain").end(name);
                    }
                });
            }
        });
    }

    /**
     * A TCP reset rather than an orderly close: SO_LINGER 0 on the socket, which only Vert.x's connection class
     * exposes (as the demo services do it).
     */
    private static void reset(HttpServerRequest request) {
        if (request.connection() instanceof ConnectionBase connection) {
            connection.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        request.connection().close();
    }

    private static MultiMap copy(MultiMap headers) {
        return MultiMap.caseInsensitiveMultiMap().addAll(headers);
    }

    /** One request as it reached the endpoint. */
    public record Received(String method, String uri, MultiMap headers, byte[] body, long arrivedNanos) {
        public String header(String headerName) {
            return headers.get(headerName);
        }
    }

    /** What the endpoint does with a request. */
    public record Behaviour(Kind kind, int status, Duration delay, Map<String, String> headers) {
        public enum Kind { OK, STATUS, HANG, RESET, SLOW }

        /** 200 with the endpoint's name as the body. */
        public static Behaviour ok() {
            return new Behaviour(Kind.OK, 200, Duration.ZERO, Map.of());
        }

        /** This status, with a short text body. */
        public static Behaviour status(int status) {
            return new Behaviour(Kind.STATUS, status, Duration.ZERO, Map.of());
        }

        /** This status with these response headers (name, value pairs). */
        public static Behaviour status(int status, String headerName, String headerValue) {
            return new Behaviour(Kind.STATUS, status, Duration.ZERO, Map.of(headerName, headerValue));
        }

        /** 503 with {@code x-rampart-overloaded: true}: the upstream sheds load and asks not to be retried. */
        public static Behaviour overloaded() {
            return status(503, "x-rampart-overloaded", "true");
        }

        /** Reads the request and never answers. */
        public static Behaviour hang() {
            return new Behaviour(Kind.HANG, 0, Duration.ZERO, Map.of());
        }

        /** Reads the request and resets the connection without a response byte. */
        public static Behaviour reset() {
            return new Behaviour(Kind.RESET, 0, Duration.ZERO, Map.of());
        }

        /** 200 after {@code delay}. */
        public static Behaviour slow(Duration delay) {
            return new Behaviour(Kind.SLOW, 200, delay, Map.of());
        }
    }

    @Override
    public String toString() {
        return name + " " + url + " " + behaviour.get().kind();
    }
}
