package dev.rampart.demo.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;

/**
 * The HTTP/1.1 server of one demo service: its own endpoints, plus {@code /healthz}, {@code /echo}, {@code /bytes/{n}}
 * and the control paths {@code /_demo/knobs} and {@code /_demo/stats}, all answering in JSON with an
 * {@code X-Demo-Service} header. The knobs apply to every path except the control paths, so a hung or failing service
 * can always be put right.
 */
public final class DemoServer {

    public static final String SERVICE_HEADER = "X-Demo-Service";
    public static final String HEALTH_PATH = "/healthz";
    /** Paths under this prefix control the service; knobs never apply to them and they are never counted. */
    public static final String CONTROL_PREFIX = "/_demo/";
    public static final String KNOBS_PATH = CONTROL_PREFIX + "knobs";
    public static final String STATS_PATH = CONTROL_PREFIX + "stats";
    public static final String STATS_RESET_PATH = STATS_PATH + "/reset";
    /** Sent with every 503 while the {@code overloaded} knob is on; a gateway must not retry such an answer. */
    public static final String OVERLOADED_HEADER = "x-rampart-overloaded";

    /** A knobs body is a handful of fields; anything bigger is a mistake. */
    private static final int KNOBS_BODY_LIMIT = 16 * 1024;

    private final Vertx vertx;
    private final String name;
    private final List<Route> routes;
    private final AccessLog accessLog;
    private final DoubleSupplier random;
    private volatile Knobs serviceKnobs = Knobs.NONE;
    /** Requests counted for {@code error-every}; restarted whenever the service's knobs change. */
    private final AtomicLong counted = new AtomicLong();
    private final RequestCounts requestCounts = new RequestCounts();
    private HttpServer server;

    /**
     * @param serviceRoutes the service's own endpoints
     * @param verbose       whether to log one JSON line per request
     * @param random        values in {@code [0, 1)} for latency ranges and {@code error-rate}
     */
    public DemoServer(Vertx vertx, String name, List<Route> serviceRoutes, boolean verbose, DoubleSupplier random) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.name = Objects.requireNonNull(name, "name");
        this.accessLog = new AccessLog(verbose);
        this.random = Objects.requireNonNull(random, "random");
        List<Route> all = new ArrayList<>(serviceRoutes);
        all.add(Route.get(HEALTH_PATH, this::answerHealth));
        all.add(Route.anyMethod("/echo/**", EchoEndpoint::handle));
        all.add(Route.get("/bytes/{n}", ByteStreamEndpoint::handle));
        this.routes = List.copyOf(all);
    }

    public String name() {
        return name;
    }

    /** Starts listening; the future holds the port bound, which differs from {@code port} when that is 0. */
    public Future<Integer> listen(String host, int port) {
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(false) // these stand in for plain HTTP/1.1 services
                .setHandle100ContinueAutomatically(true); // so that curl does not wait a second before a large upload
        server = vertx.createHttpServer(options).requestHandler(this::handle);
        return server.listen(port, host).map(HttpServer::actualPort);
    }

    /** Stops listening and closes open connections, hung requests included. */
    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        request.pause(); // until an endpoint reads the body, so that none of it is lost while a latency knob waits
        request.response().putHeader(SERVICE_HEADER, name);
        DemoExchange withoutKnobs = new DemoExchange(name, request, Map.of(), Knobs.NONE);
        if (request.path().startsWith(CONTROL_PREFIX)) {
            logWhenAnswered(request, "control", start);
            control(withoutKnobs);
            return;
        }
        boolean counts = !request.path().equals(HEALTH_PATH);
        if (counts) {
            requestCounts.arrived();
        }
        Knobs knobs;
        FaultPlan plan;
        try {
            knobs = serviceKnobs.overriddenBy(Knobs.fromQuery(request.params()));
            plan = FaultPlan.decide(knobs, knobs.countsRequests() ? counted.incrementAndGet() : 0, random);
        } catch (InvalidInputException e) {
            logWhenAnswered(request, "bad_request", start);
            withoutKnobs.fail(e);
            return;
        } catch (IllegalArgumentException e) { // Vert.x could not decode the query string
            logWhenAnswered(request, "bad_request", start);
            withoutKnobs.fail(InvalidInputException.of("query", request.query(), "a well-formed query string"));
            return;
        }
        if (counts) {
            requestCounts.decided(plan.fault());
        }
        if (knobs.signalsOverload()) {
            signalOverloadOn503(request.response());
        }
        DemoExchange exchange = new DemoExchange(name, request, Map.of(), knobs);
        if (plan.delayMillis() > 0) {
            vertx.setTimer(plan.delayMillis(), timer -> carryOut(plan, exchange, start));
        } else {
            carryOut(plan, exchange, start);
        }
    }

    private void carryOut(FaultPlan plan, DemoExchange exchange, long start) {
        HttpServerRequest request = exchange.request();
        if (request.response().closed()) {
            return; // the client gave up while the latency knob made it wait
        }
        boolean answers = plan.fault() != FaultPlan.Fault.RESET && plan.fault() != FaultPlan.Fault.HANG;
        if (answers) {
            logWhenAnswered(request, RequestCounts.outcomeName(plan.fault()), start);
        }
        switch (plan.fault()) {
            case RESET -> {
                accessLog.record(name, request, 0, "reset", start);
                ConnectionReset.abort(request);
            }
            case HANG -> accessLog.record(name, request, 0, "hang", start); // and never answer
            case INJECTED_ERROR -> exchange.error(plan.status(), "injected_error",
                    "failure injected by the " + Knobs.ERROR_RATE + " or " + Knobs.ERROR_EVERY + " knob");
            case FORCED_STATUS -> answerForcedStatus(exchange, plan.status());
            case NONE -> route(exchange);
        }
    }

    private void answerForcedStatus(DemoExchange exchange, int status) {
        String message = "status " + status + " forced by the " + Knobs.STATUS + " knob";
        if (status >= 400) {
            exchange.error(status, "forced_status", message);
        } else {
            exchange.json(status, new JsonObject().put("service", name).put("status", status).put("message", message));
        }
    }

    private void route(DemoExchange bare) {
        HttpServerRequest request = bare.request();
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = route.path().match(request.path());
            if (params.isEmpty()) {
                continue;
            }
            if (route.accepts(request.method())) {
                DemoExchange exchange = new DemoExchange(name, request, params.get(), bare.knobs());
                try {
                    route.endpoint().handle(exchange);
                } catch (RuntimeException e) {
                    exchange.fail(e);
                }
                return;
            }
            route.methods().forEach(m -> allowed.add(m.name()));
            if (route.methods().contains(HttpMethod.GET)) {
                allowed.add(HttpMethod.HEAD.name());
            }
        }
        if (!allowed.isEmpty()) {
            answerMethodNotAllowed(bare, allowed);
        } else {
            bare.error(404, "not_found", InvalidInputException.message("path", request.path(), "one of "
                    + routes.stream().map(r -> r.path().source()).collect(Collectors.joining(", "))
                    + ", " + KNOBS_PATH + ", " + STATS_PATH));
        }
    }

    /** 200 {@code {"status":"ok"}}, or 503 {@code {"status":"unhealthy"}} while the {@code healthy} knob is false. */
    private void answerHealth(DemoExchange exchange) {
        boolean healthy = exchange.knobs().reportsHealthy();
        exchange.json(healthy ? 200 : 503,
                new JsonObject().put("status", healthy ? "ok" : "unhealthy").put("service", name));
    }

    /**
     * Adds the overload signals to the response if it turns out to be a 503, whichever knob or endpoint produced it:
     * the status is only known once the headers are about to go.
     */
    private static void signalOverloadOn503(HttpServerResponse response) {
        response.headersEndHandler(v -> {
            if (response.getStatusCode() == 503) {
                response.putHeader(HttpHeaders.RETRY_AFTER, "1").putHeader(OVERLOADED_HEADER, "true");
            }
        });
    }

    private void control(DemoExchange exchange) {
        String path = exchange.request().path();
        switch (path) {
            case KNOBS_PATH -> controlKnobs(exchange);
            case STATS_PATH -> onlyWith(exchange, List.of("GET", "HEAD"), () -> answerStats(exchange, false));
            case STATS_RESET_PATH -> onlyWith(exchange, List.of("POST"), () -> answerStats(exchange, true));
            default -> exchange.error(404, "not_found", InvalidInputException.message("path", path,
                    "one of " + String.join(", ", KNOBS_PATH, STATS_PATH, STATS_RESET_PATH)));
        }
    }

    private void onlyWith(DemoExchange exchange, List<String> methods, Runnable answer) {
        String method = exchange.request().method().name();
        if (methods.contains(method)) {
            answer.run();
        } else {
            answerMethodNotAllowed(exchange, methods);
        }
    }

    /** {@code GET /_demo/stats} shows the counts; {@code POST /_demo/stats/reset} shows them and starts again from 0. */
    private void answerStats(DemoExchange exchange, boolean reset) {
        JsonObject counts = reset ? requestCounts.resetToJson() : requestCounts.toJson();
        exchange.json(200, new JsonObject().put("service", name).mergeIn(counts));
    }

    private void answerMethodNotAllowed(DemoExchange exchange, Collection<String> allowed) {
        String list = String.join(", ", allowed);
        exchange.response().putHeader(HttpHeaders.ALLOW, list);
        exchange.error(405, "method_not_allowed",
                InvalidInputException.message("method", exchange.request().method().name(), "one of " + list));
    }

    /** {@code GET} shows the service's knobs, {@code PUT} replaces them all, {@code DELETE} clears them. */
    private void controlKnobs(DemoExchange exchange) {
        HttpMethod method = exchange.request().method();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            answerKnobs(exchange);
        } else if (method.equals(HttpMethod.PUT)) {
            exchange.readJsonObject(KNOBS_BODY_LIMIT)
                    .map(Knobs::fromJson)
                    .onSuccess(knobs -> {
                        setServiceKnobs(knobs);
                        answerKnobs(exchange);
                    })
                    .onFailure(exchange::fail);
        } else if (method.equals(HttpMethod.DELETE)) {
            setServiceKnobs(Knobs.NONE);
            answerKnobs(exchange);
        } else {
            answerMethodNotAllowed(exchange, List.of("GET", "HEAD", "PUT", "DELETE"));
        }
    }

    private void setServiceKnobs(Knobs knobs) {
        serviceKnobs = knobs;
        counted.set(0);
    }

    private void answerKnobs(DemoExchange exchange) {
        exchange.json(200, new JsonObject().put("service", name).put("knobs", serviceKnobs.toJson()));
    }

    private void logWhenAnswered(HttpServerRequest request, String outcome, long start) {
        if (accessLog.enabled()) {
            request.response().endHandler(v ->
                    accessLog.record(name, request, request.response().getStatusCode(), outcome, start));
        }
    }
}
