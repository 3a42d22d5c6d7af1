package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API of a running gateway, driven as an operator drives it: latency per route after real traffic, log
 * levels changed at runtime, and {@code rampart status}. Each test sends its traffic through its own route, so the
 * numbers of one do not depend on another.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminApiIT {
    private static final String DEBUG_LINE = "upstream call failed";

    private static final Upstreams upstreams = new Upstreams();
    private static RampartProcess gateway;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGateway() {
        String pricing = upstreams.demoUrl("pricing");
        gateway = RampartProcess.gateway("""
                service: admin-api-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  pricing: { endpoints: [ "%s" ] }
                routes:
                  - id: slow
                    match: { prefix: /slow/ }
                    strip-prefix: /slow
                    upstream: pricing
                  - id: debugged
                    match: { prefix: /debugged/ }
                    strip-prefix: /debugged
                    upstream: pricing
                    retries: off            # one upstream call, so one debug line per request
                  - id: watched
                    match: { prefix: /watched/ }
                    strip-prefix: /watched
                    upstream: pricing
                  - id: idle
                    match: { prefix: /idle/ }
                    strip-prefix: /idle
                    upstream: pricing
                """.formatted(pricing))
                .name("AdminApiIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    // ---- latency -------------------------------------------------------------------------------------------------

    @Test
    void latencyOfARouteShowsItsUpstreamsDelay() {
        for (int i = 0; i < 18; i++) {
            assertThat(gateway.get("/slow/prices/" + i + "?latency=50ms").statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(gateway.get("/slow/prices/1?latency=50ms&status=503").statusCode()).isEqualTo(503);
        }

        // a request is counted once its response has been handed to the socket, so the last one may lag a little
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
                JsonLines.parse(admin("GET", "/api/v1/routes/slow/latency", null).body())
                        .path("windows").path("1m").path("count").asLong() >= 20);
        HttpResponse<String> response = admin("GET", "/api/v1/routes/slow/latency", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode latency = JsonLines.parse(response.body());
        assertThat(latency.path("route").asText()).isEqualTo("slow");
        for (String window : List.of("1m", "5m")) {
            JsonNode w = latency.path("windows").path(window);
            assertThat(w.path("count").asLong()).as(window).isEqualTo(20);
            assertThat(w.path("errors").asLong()).as(window).isEqualTo(2);
            assertThat(w.path("error_ratio").asDouble()).as(window).isEqualTo(0.1);
            assertThat(w.path("rate_per_s").asDouble()).as(window).isPositive();
            assertThat(w.path("p50_ms").asDouble()).as(window).isBetween(50.0, 1_000.0);
            assertThat(w.path("p95_ms").asDouble()).as(window).isGreaterThanOrEqualTo(w.path("p50_ms").asDouble());
            assertThat(w.path("p99_ms").asDouble()).as(window).isGreaterThanOrEqualTo(w.path("p95_ms").asDouble());
            assertThat(w.path("p999_ms").asDouble()).as(window).isGreaterThanOrEqualTo(w.path("p99_ms").asDouble());
            assertThat(w.path("max_ms").asDouble()).as(window).isBetween(w.path("p999_ms").asDouble(), 5_000.0);
        }
    }

    @Test
    void routesListsEveryConfiguredRouteInOrderIdleOnesIncluded() {
        HttpResponse<String> response = admin("GET", "/api/v1/routes", null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode routes = JsonLines.parse(response.body()).path("routes");
        assertThat(routes).extracting(route -> route.path("id").asText())
                .containsExactly("slow", "debugged", "watched", "idle");
        JsonNode idle = routes.get(3);
        assertThat(idle.path("requests_total").asLong()).isZero();
        assertThat(idle.path("rate_per_s").asDouble()).isZero();
        assertThat(idle.path("error_percent").asDouble()).isZero();
        assertThat(idle.path("p50_ms").isNull()).isTrue();
        assertThat(idle.path("p99_ms").isNull()).isTrue();
    }

    @Test
    void latencyOfARouteThatIsNotConfiguredIsNotFound() {
        HttpResponse<String> response = admin("GET", "/api/v1/routes/nope/latency", null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JsonLines.parse(response.body()).path("error").path("code").asText()).isEqualTo("route_not_found");
    }

    @Test
    void aWrongMethodIsRefusedWithTheAllowedOnes() {
        HttpResponse<String> response = admin("DELETE", "/api/v1/routes", null);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET");
        assertThat(JsonLines.parse(response.body()).path("error").path("code").asText())
                .isEqualTo("method_not_allowed");
    }

    // ---- log levels ----------------------------------------------------------------------------------------------

    @Test
    void aLogLevelChangeTakesEffectAtOnceAndCanBeUndone() {
        JsonNode before = JsonLines.parse(admin("GET", "/api/v1/log-level", null).body()).path("loggers");
        assertThat(before.path("ROOT").asText()).isEqualTo("INFO");

        failUpstreamCall("debug-before");
        assertThat(debugLines("debug-before")).isEmpty();

        try {
            HttpResponse<String> debug = setLevel("dev.rampart", "\"DEBUG\"");
            assertThat(debug.statusCode()).as(debug.body()).isEqualTo(200);
            assertThat(JsonLines.parse(debug.body()).path("effective").asText()).isEqualTo("DEBUG");
            assertThat(JsonLines.parse(admin("GET", "/api/v1/log-level", null).body()).path("loggers")
                    .path("dev.rampart").asText()).isEqualTo("DEBUG");

            failUpstreamCall("debug-on");
            assertThat(debugLines("debug-on")).singleElement()
                    .satisfies(line -> assertThat(line.path("level").asText()).isEqualTo("DEBUG"));
        } finally {
            HttpResponse<String> back = setLevel("dev.rampart", "null");
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        }

        failUpstreamCall("debug-after");
        assertThat(debugLines("debug-after")).isEmpty();
        assertThat(gateway.stdout()).anyMatch(line -> line.contains("\"message\":\"log level changed\"")
                && line.contains("\"target_logger\":\"dev.rampart\""));
    }

    @Test
    void anUnknownLevelIsRefusedAndChangesNothing() {
        HttpResponse<String> response = setLevel("dev.rampart", "\"LOUD\"");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JsonLines.parse(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_log_level");
        assertThat(error.path("message").asText()).startsWith("level: LOUD (expected: one of TRACE, DEBUG, INFO");
        assertThat(JsonLines.parse(admin("GET", "/api/v1/log-level", null).body()).path("loggers").has("dev.rampart"))
                .isFalse();
    }

    /** A request whose upstream resets the connection: a 502, and a debug line when debug is on. */
    private static void failUpstreamCall(String requestId) {
        assertThat(gateway.get("/debugged/prices/1?reset=true", "X-Request-Id", requestId).statusCode()).isEqualTo(502);
        // the debug line is written before the access line, through the same ordered writer
        gateway.awaitAccessLog(requestId);
    }

    private static List<JsonNode> debugLines(String requestId) {
        return gateway.stdout().stream()
                .filter(line -> line.contains(DEBUG_LINE))
                .map(JsonLines::parse)
                .filter(line -> requestId.equals(line.path("request_id").asText()))
                .toList();
    }

    // ---- rampart status ------------------------------------------------------------------------------------------

    @Test
    void statusShowsReadinessAndEveryRoutesNumbers() {
        for (int i = 0; i < 3; i++) {
            assertThat(gateway.get("/watched/prices/" + i).statusCode()).isEqualTo(200);
        }

        RampartProcess status = rampart("status", "--admin", "http://127.0.0.1:" + gateway.adminPort());

        assertThat(status.waitFor(Duration.ofSeconds(30))).as(status.outputForDiagnosis()).isZero();
        List<String> out = status.stdout();
        assertThat(out.get(0)).startsWith("rampart: ready");
        assertThat(out).anyMatch(line -> line.startsWith("ROUTE") && line.contains("RATE/S")
                && line.contains("ERROR %") && line.contains("P50 MS") && line.contains("P99 MS"));
        assertThat(row(out, "watched")).satisfies(cells -> {
            assertThat(Double.parseDouble(cells[1])).isPositive();   // rate/s
            assertThat(cells[2]).isEqualTo("0.00");                  // error %
            assertThat(Double.parseDouble(cells[3])).isPositive();   // p50
            assertThat(Double.parseDouble(cells[4])).isPositive();   // p99
            assertThat(cells[5]).isEqualTo("3");                     // requests
        });
        assertThat(row(out, "idle")).containsExactly("idle", "0.0", "0.00", "-", "-", "0");
        assertThat(out).anyMatch(line -> line.startsWith("UPSTREAM"));
        assertThat(row(out, "pricing")).hasSize(8).satisfies(cells -> {
            assertThat(cells[6]).isEqualTo("1/1");                   // endpoints available
            assertThat(cells[7]).isEqualTo("1.00");                  // no retries: amplification 1
        });
        assertThat(out).anyMatch(line -> line.startsWith("ENDPOINT") && line.contains("BREAKER"));
        assertThat(out).anyMatch(line -> line.startsWith("http://127.0.0.1:") && line.contains("pricing")
                && line.contains("unchecked") && line.contains("closed"));
        assertThat(status.stderr()).isEmpty();
    }

    @Test
    void statusExitsOneWithAMessageWhenTheAdminPortDoesNotAnswer() {
        int closed = FreePorts.closed();

        RampartProcess status = rampart("status", "--admin", "http://127.0.0.1:" + closed);

        assertThat(status.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
        assertThat(String.join("\n", status.stderr()))
                .contains("cannot reach the admin port at http://127.0.0.1:" + closed);
        assertThat(status.stdout()).isEmpty();
    }

    private RampartProcess rampart(String... args) {
        return RampartProcess.launch("AdminApiIT-status", dir, List.of("-Xmx64m"), List.of(args));
    }

    /** The cells of the table row whose first cell is {@code name}. */
    private static String[] row(List<String> out, String name) {
        Predicate<String[]> named = cells -> cells.length > 0 && cells[0].equals(name);
        return out.stream().map(line -> line.trim().split("\\s+")).filter(named).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in\n" + String.join("\n", out)));
    }

    /** {@code PUT /api/v1/log-level}; {@code level} is JSON: {@code "\"DEBUG\""} or {@code "null"}. */
    private static HttpResponse<String> setLevel(String logger, String level) {
        return admin("PUT", "/api/v1/log-level", "{\"logger\":\"" + logger + "\",\"level\":" + level + "}");
    }

    private static HttpResponse<String> admin(String method, String path, String body) {
        return RampartProcess.send(HttpRequest.newBuilder(gateway.adminUri(path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }
}
