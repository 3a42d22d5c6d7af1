package dev.rampart.gateway.admin;

import dev.rampart.core.config.AdminConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/** The control-plane port (loopback by default): {@code /healthz} (alive) and {@code /readyz} (ready, with reasons). */
public final class AdminServer {
    private final Vertx vertx;
    private final AdminConfig config;
    private final Supplier<JsonObject> readiness;
    private HttpServer server;
    private Supplier<String> metricsText;
    private String metricsContentType;

    /** Serves {@code GET /metrics} from this supplier (Prometheus text exposition). */
    public AdminServer metrics(Supplier<String> text, String contentType) {
        this.metricsText = text;
        this.metricsContentType = contentType;
        return this;
    }

    /** @param readiness the readiness report; its {@code "ready"} field decides 200 or 503 */
    public AdminServer(Vertx vertx, AdminConfig config, Supplier<JsonObject> readiness) {
        this.vertx = vertx;
        this.config = config;
        this.readiness = readiness;
    }

    public Future<HttpServer> start() {
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(config.port(), config.bind())
                .onSuccess(s -> server = s);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if ("/healthz".equals(path)) {
            respond(request, 200, new JsonObject().put("status", "ok"));
        } else if ("/metrics".equals(path) && metricsText != null) {
            // the scrape formats every series: off the event loop
            vertx.executeBlocking(metricsText::get, false).onComplete(ar -> {
                if (ar.succeeded()) {
                    request.response().putHeader("content-type", metricsContentType).end(ar.result());
                } else {
                    respond(request, 500, new JsonObject().put("error", new JsonObject()
                            .put("code", "internal_error").put("message", "Metrics could not be collected.")));
                }
            });
        } else if ("/readyz".equals(path)) {
            JsonObject report = readiness.get();
            respond(request, report.getBoolean("ready", false) ? 200 : 503, report);
        } else {
            respond(request, 404, new JsonObject().put("error", new JsonObject()
                    .put("code", "not_found").put("message", "No such admin endpoint.")));
        }
    }

    private static void respond(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(body.encode());
    }
}
