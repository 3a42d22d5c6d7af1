package dev.rampart.gateway.admin;

import dev.rampart.core.config.AdminConfig;
import dev.rampart.core.latency.SlidingLatencyWindow;
import dev.rampart.core.latency.SlidingLatencyWindow.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The control-plane port (loopback by default): {@code /healthz}, {@code /readyz}, {@code /metrics} and the admin
 * API v1 (route latency, log levels), described in {@code docs/admin-api.md}. Merging latency windows and formatting
 * metrics run on the {@code rampart-admin} worker threads, never on an event loop.
 */
public final class AdminServer {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    static final String WORKER_POOL = "rampart-admin";
    private static final int WORKER_THREADS = 2;
    private static final int MAX_BODY_BYTES = 4096;
    private static final String ROUTES = "/api/v1/routes";
    private static final String UPSTREAMS = "/api/v1/upstreams";
    private static final String LOG_LEVEL = "/api/v1/log-level";
    private static final String LATENCY = "/latency";
    private static final String SIDE_EFFECTS = "/api/v1/side-effects";
    private static final String CACHE = "/api/v1/cache";

    private final Vertx vertx;
    private final AdminConfig config;
    private final Supplier<JsonObject> readiness;
    private final RouteStats stats;
    private final Supplier<List<String>> routeIds;
    private final LogLevels logLevels;
    private final Supplier<String> metricsText; // null: metrics are off
    private final String metricsContentType;
    private volatile Supplier<Map<String, UpstreamCluster>> upstreamDetails;
    private volatile EdgeAdmin edge;
    private WorkerExecutor worker;
    private HttpServer server;
    private long compactTimer = -1;

    /**
     * @param readiness          the readiness report; its {@code "ready"} field decides 200 or 503
     * @param stats              the per-route traffic the API reports
     * @param routeIds           the configured route ids, in config order (idle routes are listed too)
     * @param metricsText        the {@code GET /metrics} body; null when metrics are off ({@code /metrics} is 404)
     * @param metricsContentType its content type; ignored when {@code metricsText} is null
     */
    public AdminServer(Vertx vertx, AdminConfig config, Supplier<JsonObject> readiness, RouteStats stats,
                       Supplier<List<String>> routeIds, Supplier<String> metricsText, String metricsContentType) {
        this(vertx, config, readiness, stats, routeIds, metricsText, metricsContentType, LogLevels.ofRunningBackend());
    }

    AdminServer(Vertx vertx, AdminConfig config, Supplier<JsonObject> readiness, RouteStats stats,
                Supplier<List<String>> routeIds, Supplier<String> metricsText, String metricsContentType,
                LogLevels logLevels) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.config = Objects.requireNonNull(config, "config");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.routeIds = Objects.requireNonNull(routeIds, "routeIds");
        this.metricsText = metricsText;
        this.metricsContentType = metricsText == null ? null : Objects.requireNonNull(metricsContentType,
                "metricsContentType");
        this.logLevels = Objects.requireNonNull(logLevels, "logLevels");
    }

    public Future<HttpServer> start() {
        worker = vertx.createSharedWorkerExecutor(WORKER_POOL, WORKER_THREADS);
        // finished latency slices are packed once per slice, so idle memory stays small
        compactTimer = vertx.setPeriodic(SlidingLatencyWindow.DEFAULT_SLICE.toMillis(),
                id -> worker.executeBlocking(() -> {
                    stats.compact();
                    return null;
                }, false).onFailure(err -> log.atWarn().setCause(err).log("latency compaction failed")));
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(config.port(), config.bind())
                .onSuccess(s -> server = s);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        if (compactTimer >= 0) {
            vertx.cancelTimer(compactTimer);
        }
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.eventually(() -> worker == null ? Future.succeededFuture() : worker.close());
    }

    // ---- routing -------------------------------------------------------------------------------------------------

    private void handle(HttpServerRequest request) {
        String path = request.path();
        switch (path) {
            // health and readiness answer any method, as they always have
            case "/healthz" -> respond(request, 200, new JsonObject().put("status", "ok"));
            case "/readyz" -> {
                JsonObject report = readiness.get();
                respond(request, report.getBoolean("ready", false) ? 200 : 503, report);
            }
            case "/metrics" -> {
                if (metricsText == null) {
                    notFound(request);
                } else if (allows(request, HttpMethod.GET)) {
                    metrics(request);
                }
            }
            case ROUTES -> {
                if (allows(request, HttpMethod.GET)) {
                    answerOffLoop(request, this::routes);
                }
            }
            case UPSTREAMS -> {
                if (allows(request, HttpMethod.GET)) {
                    answerOffLoop(request, this::upstreams);
                }
            }
            case LOG_LEVEL -> {
                if (allows(request, HttpMethod.GET, HttpMethod.PUT)) {
                    logLevel(request);
                }
            }
            case SIDE_EFFECTS -> {
                if (edge == null) {
                    notFound(request);
                } else if (allows(request, HttpMethod.GET)) {
                    answer(request, edge.state());
                }
            }
            case SIDE_EFFECTS + "/pause", SIDE_EFFECTS + "/resume" -> {
                if (edge == null) {
                    notFound(request);
                } else if (allows(request, HttpMethod.POST)) {
                    boolean pause = path.endsWith("/pause");
                    withJsonBody(request, json -> answer(request, pause ? edge.pause(json) : edge.resume(json)));
                }
            }
            case CACHE -> {
                if (edge == null) {
                    notFound(request);
                } else if (allows(request, HttpMethod.DELETE)) {
                    edge.purge(request.getParam("route"), request.getParam("key"), request.getParam("prefix"))
                            .onComplete(ar -> {
                                if (ar.succeeded()) {
                                    answer(request, ar.result());
                                } else {
                                    log.atWarn().addKeyValue("problem", String.valueOf(ar.cause().getMessage()))
                                            .log("cache purge failed");
                                    error(request, 503, "purge_failed", "The purge did not complete: "
                                            + ar.cause().getMessage() + ". Entries in this instance were dropped.");
                                }
                            });
                }
            }
            default -> {
                String routeId = latencyRouteId(path);
                if (routeId == null) {
                    notFound(request);
                } else if (allows(request, HttpMethod.GET)) {
                    answerOffLoop(request, () -> latency(routeId));
                }
            }
        }
    }

    /** The {@code id} of {@code /api/v1/routes/{id}/latency}, or null for any other path. */
    static String latencyRouteId(String path) {
        String prefix = ROUTES + "/";
        if (!path.startsWith(prefix) || !path.endsWith(LATENCY)) {
            return null;
        }
        String id = path.substring(prefix.length(), Math.max(prefix.length(), path.length() - LATENCY.length()));
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
    }

    /** True when the method is one of {@code allowed}; otherwise answers 405 with {@code Allow}. */
    private static boolean allows(HttpServerRequest request, HttpMethod... allowed) {
        for (HttpMethod method : allowed) {
            if (method.equals(request.method())) {
                return true;
            }
        }
        StringBuilder allow = new StringBuilder();
        for (HttpMethod method : allowed) {
            allow.append(allow.isEmpty() ? "" : ", ").append(method.name());
        }
        request.response().putHeader("allow", allow.toString());
        error(request, 405, "method_not_allowed", request.path() + " accepts " + allow + " only.");
        return false;
    }

    // ---- endpoints -----------------------------------------------------------------------------------------------

    private void metrics(HttpServerRequest request) {
        // the scrape formats every series: off the event loop
        worker.executeBlocking(metricsText::get, false).onComplete(ar -> {
            if (ar.succeeded()) {
                request.response().putHeader("content-type", metricsContentType).end(ar.result());
            } else {
                log.atError().setCause(ar.cause()).log("metrics could not be collected");
                error(request, 500, "internal_error", "Metrics could not be collected.");
            }
        });
    }

    private Answer routes() {
        JsonArray routes = new JsonArray();
        for (String id : routeIds.get()) {
            routes.add(summary("id", id, stats.route(id)));
        }
        return Answer.ok(new JsonObject().put("window", "1m").put("routes", routes));
    }

    private Answer upstreams() {
        JsonArray upstreams = new JsonArray();
        Map<String, UpstreamCluster> clusters = upstreamDetails == null ? Map.of() : upstreamDetails.get();
        for (UpstreamCluster cluster : clusters.values()) {
            upstreams.add(UpstreamReport.of(cluster, summary("name", cluster.name(), stats.upstream(cluster.name())),
                    System.nanoTime()));
        }
        for (String name : stats.upstreamNames()) {
            if (!clusters.containsKey(name)) {
                upstreams.add(summary("name", name, stats.upstream(name))); // traffic of an upstream since removed
            }
        }
        return Answer.ok(new JsonObject().put("window", "1m").put("upstreams", upstreams));
    }

    /** The pause switch and the cache purge: without it, their endpoints are 404. */
    public void edge(EdgeAdmin edge) {
        this.edge = edge;
    }

    private static void answer(HttpServerRequest request, EdgeAdmin.Answer answer) {
        respond(request, answer.status(), answer.body());
    }

    /** Reads a bounded JSON object body; a body too large, or not a JSON object, is answered here. */
    private void withJsonBody(HttpServerRequest request, java.util.function.Consumer<JsonObject> then) {
        boundedBody(request).onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof BodyTooLarge) {
                    request.response().putHeader("connection", "close");
                    respond(request, 413, errorBody("body_too_large",
                            "The body is larger than " + MAX_BODY_BYTES + " bytes."))
                            .onComplete(done -> request.connection().close());
                } else {
                    log.atDebug().setCause(ar.cause()).log("admin request body not read");
                }
                return;
            }
            JsonObject json;
            try {
                json = ar.result().length() == 0 ? null : ar.result().toJsonObject(); // null: the handler says 400
            } catch (DecodeException | ClassCastException notAnObject) {
                json = null;
            }
            then.accept(json);
        });
    }

    /** The live upstream clusters, whose endpoints' health, ejection and breaker state the API reports. */
    public void upstreamDetails(Supplier<Map<String, UpstreamCluster>> clusters) {
        this.upstreamDetails = clusters;
    }

    private Answer latency(String routeId) {
        if (!routeIds.get().contains(routeId)) {
            return Answer.error(404, "route_not_found", "No configured route has the id " + routeId + ".");
        }
        RouteStats.Traffic traffic = stats.route(routeId);
        return Answer.ok(new JsonObject()
                .put("route", routeId)
                .put("windows", new JsonObject()
                        .put("1m", window(traffic.snapshot(RouteStats.ONE_MINUTE)))
                        .put("5m", window(traffic.snapshot(RouteStats.FIVE_MINUTES)))));
    }

    private void logLevel(HttpServerRequest request) {
        if (!logLevels.available()) {
            error(request, 501, "log_levels_unavailable",
                    "The logging backend is not Logback: levels cannot be read or changed.");
            return;
        }
        if (request.method().equals(HttpMethod.GET)) {
            respond(request, 200, levels());
            return;
        }
        withJsonBody(request, json -> changeLevel(request, json));
    }

    private JsonObject levels() {
        JsonObject loggers = new JsonObject();
        logLevels.configured().forEach(loggers::put);
        return new JsonObject().put("loggers", loggers);
    }

    private void changeLevel(HttpServerRequest request, JsonObject json) {
        if (json == null || !(json.getValue("logger") instanceof String logger) || !json.containsKey("level")
                || !(json.getValue("level") == null || json.getValue("level") instanceof String)) {
            error(request, 400, "bad_request",
                    "The body must be a JSON object such as {\"logger\":\"dev.rampart\",\"level\":\"DEBUG\"}.");
            return;
        }
        try {
            LogLevels.Change change = logLevels.set(logger, json.getString("level"));
            respond(request, 200, new JsonObject()
                    .put("logger", change.logger())
                    .put("level", change.level())
                    .put("previous", change.previous())
                    .put("effective", change.effective()));
        } catch (IllegalArgumentException invalid) {
            error(request, 400, "invalid_log_level", invalid.getMessage());
        }
    }

    // ---- documents -----------------------------------------------------------------------------------------------

    private static JsonObject summary(String key, String name, RouteStats.Traffic traffic) {
        Snapshot minute = traffic.snapshot(RouteStats.ONE_MINUTE);
        return new JsonObject()
                .put(key, name)
                .put("rate_per_s", round(minute.ratePerSecond(), 3))
                .put("error_percent", round(100 * minute.errorRatio(), 2))
                .put("p50_ms", millis(minute, minute.p50Millis()))
                .put("p99_ms", millis(minute, minute.p99Millis()))
                .put("requests_total", traffic.requests())
                .put("errors_total", traffic.errors());
    }

    private static JsonObject window(Snapshot snapshot) {
        return new JsonObject()
                .put("count", snapshot.count())
                .put("errors", snapshot.errors())
                .put("rate_per_s", round(snapshot.ratePerSecond(), 3))
                .put("p50_ms", millis(snapshot, snapshot.p50Millis()))
                .put("p95_ms", millis(snapshot, snapshot.p95Millis()))
                .put("p99_ms", millis(snapshot, snapshot.p99Millis()))
                .put("p999_ms", millis(snapshot, snapshot.p999Millis()))
                .put("max_ms", millis(snapshot, snapshot.maxMillis()))
                .put("error_ratio", round(snapshot.errorRatio(), 4));
    }

    /** Milliseconds to the microsecond, or null when the window saw no request (0 ms would be a lie). */
    private static Double millis(Snapshot snapshot, double millis) {
        return snapshot.isEmpty() ? null : round(millis, 3);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    // ---- plumbing ------------------------------------------------------------------------------------------------

    /** Builds the answer on the {@code rampart-admin} workers: merging histograms is too much for an event loop. */
    private void answerOffLoop(HttpServerRequest request, Callable<Answer> answer) {
        worker.executeBlocking(answer, false).onComplete(ar -> {
            if (ar.succeeded()) {
                respond(request, ar.result().status(), ar.result().body());
            } else {
                log.atError().setCause(ar.cause()).addKeyValue("path", request.path()).log("admin request failed");
                error(request, 500, "internal_error", "The admin request failed; the log has the cause.");
            }
        });
    }

    /** The request body, failing with {@link BodyTooLarge} past {@link #MAX_BODY_BYTES}. */
    private static Future<Buffer> boundedBody(HttpServerRequest request) {
        Promise<Buffer> body = Promise.promise();
        if (declaredLength(request) > MAX_BODY_BYTES) {
            body.fail(new BodyTooLarge());
            return body.future();
        }
        Buffer received = Buffer.buffer();
        request.handler(chunk -> {
            if (received.length() + chunk.length() > MAX_BODY_BYTES) {
                body.tryFail(new BodyTooLarge());
            } else {
                received.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> body.tryComplete(received));
        request.exceptionHandler(body::tryFail);
        return body.future();
    }

    /** The {@code Content-Length}, or -1 when there is none (Vert.x has already refused malformed ones). */
    private static long declaredLength(HttpServerRequest request) {
        String declared = request.getHeader("content-length");
        try {
            return declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static void notFound(HttpServerRequest request) {
        error(request, 404, "not_found", "No such admin endpoint.");
    }

    private static void error(HttpServerRequest request, int status, String code, String message) {
        respond(request, status, errorBody(code, message));
    }

    private static JsonObject errorBody(String code, String message) {
        return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
    }

    private static Future<Void> respond(HttpServerRequest request, int status, JsonObject body) {
        if (request.response().ended()) {
            return Future.succeededFuture();
        }
        return request.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(body.encode());
    }

    /** A status and JSON body built off the event loop. */
    private record Answer(int status, JsonObject body) {
        static Answer ok(JsonObject body) {
            return new Answer(200, body);
        }

        static Answer error(int status, String code, String message) {
            return new Answer(status, errorBody(code, message));
        }
    }

    /** The request body is over {@link #MAX_BODY_BYTES}. */
    private static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super("admin request body over " + MAX_BODY_BYTES + " bytes", null, false, false);
        }
    }
}
