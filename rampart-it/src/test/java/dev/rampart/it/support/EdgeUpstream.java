package dev.rampart.it.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An origin for the tests of a route's edge (response cache, idempotency keys, pauses): each path answers what the
 * test scripts for it (a status, headers, a body, after a delay, or as a function of the request: its validators,
 * its language), and every request is recorded by path, so that a test counts exactly what reached the origin. It
 * can be stopped (connections are then refused) and started again on the same port.
 *
 * <p>A path without a script answers 200 with {@code "<name> <path> #<n>"}, n counting that path's requests: two
 * equal bodies prove that the second one did not come from the origin.
 */
public final class EdgeUpstream {
    private final Vertx vertx;
    private final String name;
    private final Map<String, Function<Request, Reply>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile HttpServer server;

    private EdgeUpstream(Vertx vertx, String name) {
        this.vertx = vertx;
        this.name = Objects.requireNonNull(name, "name");
        this.server = listen(0);
        this.port = server.actualPort();
    }

    /** Starts an origin on a free loopback port, on the Vert.x instance of {@code upstreams}. */
    public static EdgeUpstream start(Upstreams upstreams, String name) {
        return new EdgeUpstream(upstreams.vertx(), name);
    }

    /** {@code http://127.0.0.1:<port>}, as the gateway config names the endpoint. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** From now on, requests for {@code path} (the query aside) get this reply. */
    public EdgeUpstream on(String path, Reply reply) {
        Objects.requireNonNull(reply, "reply");
        return on(path, request -> reply);
    }

    /** From now on, requests for {@code path} (the query aside) are answered by {@code script}. */
    public EdgeUpstream on(String path, Function<Request, Reply> script) {
        scripts.put(path, Objects.requireNonNull(script, "script"));
        return this;
    }

    /** How many requests for {@code path} reached this origin so far. */
    public int requests(String path) {
        AtomicInteger count = counts.get(path);
        return count == null ? 0 : count.get();
    }

    /** The requests for {@code path} so far, in arrival order. */
    public List<Request> received(String path) {
        List<Request> found = new ArrayList<>();
        for (Request request : received) {
            if (request.path().equals(path)) {
                found.add(request);
            }
        }
        return found;
    }

    /** Closes the listening socket and every connection: from now on, connections are refused. */
    public void stop() {
        await(server.close(), "stop");
    }

    /** Listens again on the same port. */
    public void restart() {
        server = listen(port);
    }

    private HttpServer listen(int onPort) {
        return await(vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(this::handle)
                .listen(onPort, "127.0.0.1"), "listen on " + onPort);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            String path = request.path();
            int number = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Request seen = new Request(request.method().name(), request.uri(), path,
                    MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.toString(), number);
            received.add(seen);
            Function<Request, Reply> script = scripts.get(path);
            Reply reply = script == null ? Reply.ok(name + " " + path + " #" + number) : script.apply(seen);
            if (reply.delay() == null) {
                return; // never answers
            }
            HttpServerResponse response = request.response();
            if (reply.delay().isZero()) {
                send(response, reply);
            } else {
                vertx.setTimer(reply.delay().toMillis(), t -> send(response, reply));
            }
        });
    }

    private static void send(HttpServerResponse response, Reply reply) {
        if (response.closed() || response.ended()) {
            return; // the gateway gave up on it
        }
        response.setStatusCode(reply.status());
        for (Map.Entry<String, String> header : reply.headers()) {
            response.headers().add(header.getKey(), header.getValue());
        }
        response.end(reply.body());
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.await(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("origin did not " + what + " within 10 s", e);
        }
    }

    @Override
    public String toString() {
        return name + " " + url();
    }

    /**
     * One request as it reached the origin.
     *
     * @param number the how-manieth request for its path it was, from 1
     */
    public record Request(String method, String uri, String path, MultiMap headers, String body, int number) {
        public String header(String headerName) {
            return headers.get(headerName);
        }
    }

    /**
     * What the origin answers.
     *
     * @param delay how long it waits before answering; null: it never answers
     */
    public record Reply(int status, List<Map.Entry<String, String>> headers, String body, Duration delay) {
        public Reply {
            headers = List.copyOf(headers);
        }

        /** 200 with this text body. */
        public static Reply ok(String body) {
            return status(200, body);
        }

        /** This status with this text body. */
        public static Reply status(int status, String body) {
            return new Reply(status, List.of(Map.entry("content-type", "text/plain")), body, Duration.ZERO);
        }

        /** Reads the request and never answers. */
        public static Reply never() {
            return new Reply(0, List.of(), "", null);
        }

        /** The same reply with one more header (a header may be given several times). */
        public Reply header(String headerName, String value) {
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(headerName, value));
            return new Reply(status, more, body, delay);
        }

        /** The same reply, sent {@code wait} after the request arrived. */
        public Reply after(Duration wait) {
            return new Reply(status, headers, body, Objects.requireNonNull(wait, "wait"));
        }
    }
}
