package dev.rampart.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.core.config.AdminConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.rampart.gateway.admin.RouteStatsTest.finished;
import static org.assertj.core.api.Assertions.assertThat;

/** The admin port on a real Vert.x, called over HTTP as an operator's tools call it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminServerTest {
    private static final String TEST_LOGGER = "dev.rampart.admintest";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    private static final String LEVEL_DEBUG = levelBody(TEST_LOGGER, "\"debug\"");

    private static final ObjectMapper json = new ObjectMapper();
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicLong now = new AtomicLong();
    private static final AtomicBoolean ready = new AtomicBoolean(true);
    private static final AtomicReference<String> metricsThread = new AtomicReference<>();
    private static Vertx vertx;
    private static RouteStats stats;
    private static AdminServer admin;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        stats = new RouteStats(now::get);
        admin = new AdminServer(vertx, new AdminConfig("127.0.0.1", 0),
                () -> new JsonObject().put("ready", ready.get()).put("status", ready.get() ? "ready" : "draining"),
                stats, () -> List.of("prices", "stock", "idle"),
                () -> {
                    metricsThread.set(Thread.currentThread().getName());
                    return "# TYPE rampart_up gauge\nrampart_up 1\n";
                }, PROMETHEUS);
        admin.start().await();
    }

    @AfterAll
    static void stop() {
        admin.close().await();
        vertx.close().await();
    }

    @AfterEach
    void resetTestLogger() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(TEST_LOGGER)).setLevel(null);
        ready.set(true);
    }

    // ---- health --------------------------------------------------------------------------------------------------

    @Test
    void healthzAnswersOkToAnyMethod() {
        assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
        HttpResponse<String> post = send("POST", "/healthz", "");
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(body(post).path("status").asText()).isEqualTo("ok");
    }

    @Test
    void readyzFollowsTheReadinessReport() {
        assertThat(send("GET", "/readyz", null).statusCode()).isEqualTo(200);
        ready.set(false);
        HttpResponse<String> draining = send("GET", "/readyz", null);
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(body(draining).path("status").asText()).isEqualTo("draining");
    }

    // ---- routes and latency --------------------------------------------------------------------------------------

    @Test
    void routesListsEveryConfiguredRouteInConfigOrderIdleOnesIncluded() {
        RouteStats fresh = new RouteStats(now::get);
        for (int ms = 1; ms <= 100; ms++) {
            fresh.finished(finished("prices", "pricing", ms % 10 == 0 ? 502 : 200, ms,
                    ms % 10 == 0 ? "upstream_reset" : null));
        }
        fresh.finished(finished("stock", "inventory", 200, 3, null));
        fresh.finished(finished("retired", "old", 200, 3, null)); // no longer configured: not listed
        AdminServer server = startAnother(fresh, null);
        try {
            HttpResponse<String> response = send(server, "GET", "/api/v1/routes", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode routes = body(response).path("routes");
            assertThat(routes).hasSize(3);
            assertThat(routes.get(0).path("id").asText()).isEqualTo("prices");
            assertThat(routes.get(0).path("requests_total").asLong()).isEqualTo(100);
            assertThat(routes.get(0).path("errors_total").asLong()).isEqualTo(10);
            assertThat(routes.get(0).path("error_percent").asDouble()).isEqualTo(10.0);
            assertThat(routes.get(0).path("rate_per_s").asDouble()).isEqualTo(100.0); // a young window: over 1 s
            assertThat(routes.get(0).path("p50_ms").asDouble()).isBetween(50.0, 50.5);
            assertThat(routes.get(0).path("p99_ms").asDouble()).isBetween(99.0, 100.0);
            assertThat(routes.get(1).path("id").asText()).isEqualTo("stock");
            assertThat(routes.get(2).path("id").asText()).isEqualTo("idle");
            assertThat(routes.get(2).path("requests_total").asLong()).isZero();
            assertThat(routes.get(2).path("rate_per_s").asDouble()).isZero();
            assertThat(routes.get(2).path("p50_ms").isNull()).isTrue();
            assertThat(routes.get(2).path("p99_ms").isNull()).isTrue();
        } finally {
            server.close().await();
        }
    }

    @Test
    void latencyOfARouteReportsTheOneAndFiveMinuteWindows() {
        RouteStats fresh = new RouteStats(now::get);
        fresh.finished(finished("prices", "pricing", 200, 400, null));
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        for (int i = 0; i < 99; i++) {
            fresh.finished(finished("prices", "pricing", 200, 50, null));
        }
        fresh.finished(finished("prices", "pricing", 504, 1000, "upstream_timeout"));
        AdminServer server = startAnother(fresh, null);
        try {
            HttpResponse<String> response = send(server, "GET", "/api/v1/routes/prices/latency", null);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode latency = body(response);
            assertThat(latency.path("route").asText()).isEqualTo("prices");
            JsonNode minute = latency.path("windows").path("1m");
            assertThat(minute.path("count").asLong()).isEqualTo(100);
            assertThat(minute.path("p50_ms").asDouble()).isBetween(50.0, 50.5);
            assertThat(minute.path("p95_ms").asDouble()).isBetween(50.0, 50.5);
            assertThat(minute.path("p99_ms").asDouble()).isBetween(50.0, 50.5);
            assertThat(minute.path("p999_ms").asDouble()).isBetween(1000.0, 1010.0);
            assertThat(minute.path("max_ms").asDouble()).isBetween(1000.0, 1010.0);
            assertThat(minute.path("error_ratio").asDouble()).isEqualTo(0.01);
            assertThat(minute.path("errors").asLong()).isEqualTo(1);
            assertThat(minute.path("rate_per_s").asDouble()).isPositive();
            JsonNode five = latency.path("windows").path("5m");
            assertThat(five.path("count").asLong()).isEqualTo(101);
            assertThat(five.path("max_ms").asDouble()).isBetween(1000.0, 1010.0);
        } finally {
            server.close().await();
        }
    }

    @Test
    void latencyOfAnIdleRouteHasEmptyWindows() {
        JsonNode latency = body(send("GET", "/api/v1/routes/idle/latency", null));

        JsonNode minute = latency.path("windows").path("1m");
        assertThat(minute.path("count").asLong()).isZero();
        assertThat(minute.path("p50_ms").isNull()).isTrue();
        assertThat(minute.path("max_ms").isNull()).isTrue();
        assertThat(minute.path("error_ratio").asDouble()).isZero();
    }

    @Test
    void latencyOfAnUnknownRouteIsNotFound() {
        HttpResponse<String> response = send("GET", "/api/v1/routes/nope/latency", null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(body(response).path("error").path("code").asText()).isEqualTo("route_not_found");
        assertThat(body(response).path("error").path("message").asText()).contains("nope");
    }

    @Test
    void upstreamsListThoseThatHadTraffic() {
        RouteStats fresh = new RouteStats(now::get);
        fresh.finished(finished("prices", "pricing", 200, 5, null));
        AdminServer server = startAnother(fresh, null);
        try {
            JsonNode upstreams = body(send(server, "GET", "/api/v1/upstreams", null)).path("upstreams");

            assertThat(upstreams).hasSize(1);
            assertThat(upstreams.get(0).path("name").asText()).isEqualTo("pricing");
            assertThat(upstreams.get(0).path("requests_total").asLong()).isEqualTo(1);
        } finally {
            server.close().await();
        }
    }

    @Test
    void unknownPathsAreNotFound() {
        for (String path : List.of("/", "/api/v1", "/api/v1/nope", "/api/v1/routes/prices", "/api/v1/routes//latency",
                "/api/v1/routes/a/b/latency", "/api/v1/routes/prices/latency/")) {
            HttpResponse<String> response = send("GET", path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(body(response).path("error").path("code").asText()).as(path).isEqualTo("not_found");
        }
    }

    @Test
    void aWrongMethodIsRefusedWithTheAllowedOnes() {
        HttpResponse<String> post = send("POST", "/api/v1/routes", "{}");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        assertThat(body(post).path("error").path("code").asText()).isEqualTo("method_not_allowed");

        HttpResponse<String> delete = send("DELETE", "/api/v1/log-level", null);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("allow")).hasValue("GET, PUT");

        assertThat(send("PUT", "/api/v1/routes/prices/latency", "{}").statusCode()).isEqualTo(405);
        assertThat(send("POST", "/metrics", "").statusCode()).isEqualTo(405);
    }

    // ---- metrics -------------------------------------------------------------------------------------------------

    @Test
    void metricsAreFormattedOffTheEventLoop() {
        HttpResponse<String> response = send("GET", "/metrics", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(PROMETHEUS);
        assertThat(response.body()).contains("rampart_up 1");
        assertThat(metricsThread.get()).startsWith(AdminServer.WORKER_POOL);
    }

    @Test
    void metricsAreNotFoundWhenTurnedOff() {
        AdminServer server = startAnother(stats, null);
        try {
            assertThat(send(server, "GET", "/metrics", null).statusCode()).isEqualTo(404);
        } finally {
            server.close().await();
        }
    }

    // ---- log levels ----------------------------------------------------------------------------------------------

    @Test
    void logLevelListsTheRootAndEveryLoggerWithALevelOfItsOwn() {
        HttpResponse<String> response = send("GET", "/api/v1/log-level", null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode loggers = body(response).path("loggers");
        assertThat(loggers.fieldNames().next()).isEqualTo("ROOT");
        assertThat(loggers.path("ROOT").asText()).isEqualTo("INFO");
        assertThat(loggers.path("io.netty").asText()).isEqualTo("WARN");
        assertThat(loggers.has(TEST_LOGGER)).isFalse();
    }

    @Test
    void puttingALevelChangesItAtOnceAndNullMakesItInheritAgain() {
        org.slf4j.Logger probe = LoggerFactory.getLogger(TEST_LOGGER + ".Probe");
        assertThat(probe.isDebugEnabled()).isFalse();

        HttpResponse<String> debug = send("PUT", "/api/v1/log-level", LEVEL_DEBUG);

        assertThat(debug.statusCode()).isEqualTo(200);
        assertThat(body(debug).path("logger").asText()).isEqualTo(TEST_LOGGER);
        assertThat(body(debug).path("level").asText()).isEqualTo("DEBUG");
        assertThat(body(debug).path("previous").isNull()).isTrue();
        assertThat(probe.isDebugEnabled()).isTrue();
        assertThat(body(send("GET", "/api/v1/log-level", null)).path("loggers").path(TEST_LOGGER).asText())
                .isEqualTo("DEBUG");

        HttpResponse<String> inherit = send("PUT", "/api/v1/log-level", levelBody(TEST_LOGGER, "null"));

        assertThat(inherit.statusCode()).isEqualTo(200);
        assertThat(body(inherit).path("level").isNull()).isTrue();
        assertThat(body(inherit).path("previous").asText()).isEqualTo("DEBUG");
        assertThat(body(inherit).path("effective").asText()).isEqualTo("INFO");
        assertThat(probe.isDebugEnabled()).isFalse();
    }

    @Test
    void anUnknownLevelIsRefusedWithTheLevelsThereAre() {
        HttpResponse<String> response = send("PUT", "/api/v1/log-level", levelBody(TEST_LOGGER, "\"VERBOSE\""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).path("error").path("code").asText()).isEqualTo("invalid_log_level");
        assertThat(body(response).path("error").path("message").asText())
                .startsWith("level: VERBOSE (expected: one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
        assertThat(LoggerFactory.getLogger(TEST_LOGGER).isDebugEnabled()).isFalse();
    }

    @Test
    void aMalformedLoggerNameIsRefused() {
        HttpResponse<String> response = send("PUT", "/api/v1/log-level", levelBody("dev..rampart", "\"DEBUG\""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).path("error").path("message").asText())
                .startsWith("logger: dev..rampart (expected: ");
    }

    @Test
    void theRootLoggerCannotInherit() {
        HttpResponse<String> response = send("PUT", "/api/v1/log-level", "{\"logger\":\"ROOT\",\"level\":null}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).path("error").path("code").asText()).isEqualTo("invalid_log_level");
    }

    @Test
    void aBodyThatIsNotTheExpectedJsonIsABadRequest() {
        for (String body : List.of("", "DEBUG", "[1]", "{\"level\":\"DEBUG\"}", "{\"logger\":\"dev.rampart\"}",
                "{\"logger\":7,\"level\":\"DEBUG\"}", "{\"logger\":\"dev.rampart\",\"level\":3}")) {
            HttpResponse<String> response = send("PUT", "/api/v1/log-level", body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(body(response).path("error").path("code").asText()).as(body).isEqualTo("bad_request");
        }
    }

    @Test
    void anOversizedBodyIsRefused() {
        String huge = "{\"logger\":\"" + "a".repeat(10_000) + "\",\"level\":\"DEBUG\"}";

        HttpResponse<String> response = send("PUT", "/api/v1/log-level", huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(body(response).path("error").path("code").asText()).isEqualTo("body_too_large");
    }

    @Test
    void logLevelsAreUnavailableWithoutLogback() {
        AdminServer server = new AdminServer(vertx, new AdminConfig("127.0.0.1", 0), () -> new JsonObject(), stats,
                List::of, null, null, new LogLevels(null));
        server.start().await();
        try {
            HttpResponse<String> response = send(server, "PUT", "/api/v1/log-level", LEVEL_DEBUG);

            assertThat(response.statusCode()).isEqualTo(501);
            assertThat(body(response).path("error").path("code").asText()).isEqualTo("log_levels_unavailable");
        } finally {
            server.close().await();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** A {@code PUT /api/v1/log-level} body; {@code level} is JSON ({@code "\"DEBUG\""} or {@code "null"}). */
    private static String levelBody(String logger, String level) {
        return "{\"logger\":\"" + logger + "\",\"level\":" + level + "}";
    }

    private static AdminServer startAnother(RouteStats routeStats, String metrics) {
        AdminServer server = new AdminServer(vertx, new AdminConfig("127.0.0.1", 0),
                () -> new JsonObject().put("ready", true), routeStats, () -> List.of("prices", "stock", "idle"),
                metrics == null ? null : () -> metrics, PROMETHEUS);
        server.start().await();
        return server;
    }

    private static HttpResponse<String> send(String method, String path, String body) {
        return send(admin, method, path, body);
    }

    private static HttpResponse<String> send(AdminServer server, String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode body(HttpResponse<String> response) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
