package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.EdgeUpstream;
import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 16's pause switch on a running gateway, driven as an operator drives it: through the admin API
 * ({@code /api/v1/side-effects}) and through {@code rampart pause} / {@code rampart resume}. A paused route answers
 * 503 without touching its upstream; routes without side effects never pause; every change is logged with who and
 * why. Pauses are the gateway's state, so every test ends with everything resumed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SideEffectPauseIT {
    private static final Duration COMMAND_TIME = Duration.ofSeconds(30);

    private static final Upstreams upstreams = new Upstreams();
    private static EdgeUpstream origin;
    private static RampartProcess gateway;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGateway() {
        origin = EdgeUpstream.start(upstreams, "origin");
        gateway = RampartProcess.gateway("""
                service: side-effect-pause-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                metrics: { enabled: true }
                upstreams:
                  origin: { endpoints: [ "%s" ] }
                routes:
                  - { id: payments, match: { prefix: /payments/ }, upstream: origin, side-effects: true }
                  - { id: emails, match: { prefix: /emails/ }, upstream: origin, side-effects: true }
                  - { id: catalog, match: { prefix: /catalog/ }, upstream: origin }
                """.formatted(origin.url()))
                .name("SideEffectPauseIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    @AfterEach
    void resumeEverything() {
        HttpResponse<String> resumed = adminPost("/api/v1/side-effects/resume",
                "{\"by\":\"it\",\"reason\":\"clean up\"}");
        assertThat(resumed.statusCode()).as(resumed.body()).isIn(200, 409);
    }

    // ---- pausing -------------------------------------------------------------------------------------------------

    @Test
    void pausedRouteAnswers503WithRetryAfterAndItsUpstreamSeesNothing() {
        HttpResponse<String> paused = pause("{\"route\":\"payments\",\"by\":\"alice\",\"reason\":\"drill\","
                + "\"retry_after_s\":30}");

        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        JsonNode pause = JsonLines.parse(paused.body()).path("paused");
        assertThat(pause.path("scope").asText()).isEqualTo("payments");
        assertThat(pause.path("by").asText()).isEqualTo("alice");
        assertThat(pause.path("reason").asText()).isEqualTo("drill");
        assertThat(pause.path("retry_after_s").asLong()).isEqualTo(30);

        HttpResponse<String> charge = post("/payments/charge");

        AdmissionIT.assertError(charge, 503, "paused");
        assertThat(charge.headers().firstValue("retry-after")).hasValue("30");
        assertThat(origin.requests("/payments/charge")).isZero();
        assertThat(post("/emails/send").statusCode()).as("another side-effect route, not paused").isEqualTo(200);
        assertThat(gateway.get("/catalog/items").statusCode()).isEqualTo(200);
        AdmissionIT.awaitMetrics(gateway, scrape -> {
            assertThat(scrape.value("rampart_side_effects_pauses")).isEqualTo(1);
            assertThat(scrape.value("rampart_side_effects_refused_total", "route", "payments")).isPositive();
        });
    }

    @Test
    void pauseWithoutARouteStopsEverySideEffectRouteAndNoOther() {
        HttpResponse<String> paused = pause("{\"by\":\"bob\",\"reason\":\"card processor incident\"}");

        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        AdmissionIT.assertError(post("/payments/all"), 503, "paused");
        AdmissionIT.assertError(post("/emails/all"), 503, "paused");
        assertThat(post("/catalog/all").statusCode()).isEqualTo(200);
        assertThat(origin.requests("/payments/all")).isZero();
        assertThat(origin.requests("/emails/all")).isZero();
        assertThat(origin.requests("/catalog/all")).isEqualTo(1);

        JsonNode state = JsonLines.parse(admin("GET", "/api/v1/side-effects", null).body());
        assertThat(state.path("routes")).extracting(route -> route.path("route").asText())
                .containsExactly("payments", "emails");
        assertThat(state.path("routes")).allSatisfy(route -> {
            assertThat(route.path("paused").asBoolean()).isTrue();
            assertThat(route.path("paused_by_scope").asText()).isEqualTo("*");
        });
        assertThat(state.path("pauses")).singleElement().satisfies(pause -> {
            assertThat(pause.path("by").asText()).isEqualTo("bob");
            assertThat(pause.path("reason").asText()).isEqualTo("card processor incident");
        });
    }

    @Test
    void resumeLetsRequestsThroughAgain() {
        assertThat(pause("{\"route\":\"payments\",\"by\":\"alice\",\"reason\":\"drill\"}").statusCode())
                .isEqualTo(200);
        AdmissionIT.assertError(post("/payments/resumed"), 503, "paused");

        HttpResponse<String> resumed = adminPost("/api/v1/side-effects/resume",
                "{\"route\":\"payments\",\"by\":\"alice\",\"reason\":\"drill over\"}");
        HttpResponse<String> charge = post("/payments/resumed");

        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        assertThat(charge.statusCode()).isEqualTo(200);
        assertThat(origin.requests("/payments/resumed")).isEqualTo(1);
    }

    @Test
    void pausingARouteWithoutSideEffectsIsAConflict() {
        HttpResponse<String> refused = pause("{\"route\":\"catalog\",\"by\":\"alice\",\"reason\":\"drill\"}");

        AdmissionIT.assertError(refused, 409, "not_a_side_effect_route");
        assertThat(gateway.get("/catalog/still-open").statusCode()).isEqualTo(200);
    }

    @Test
    void pausingAnUnknownRouteIsNotFound() {
        AdmissionIT.assertError(pause("{\"route\":\"nope\",\"by\":\"alice\",\"reason\":\"drill\"}"), 404,
                "route_not_found");
    }

    @Test
    void pauseWithoutAReasonIsABadRequestAndPausesNothing() {
        HttpResponse<String> refused = pause("{\"route\":\"payments\",\"by\":\"alice\"}");

        AdmissionIT.assertError(refused, 400, "bad_request");
        assertThat(JsonLines.parse(admin("GET", "/api/v1/side-effects", null).body()).path("pauses")).isEmpty();
        assertThat(post("/payments/no-reason").statusCode()).isEqualTo(200);
    }

    @Test
    void everyPauseAndResumeIsLoggedWithWhoAndWhy() {
        int mark = gateway.stdoutMark();

        pause("{\"route\":\"payments\",\"by\":\"carol\",\"reason\":\"refund bug\"}");
        pause("{\"by\":\"dave\",\"reason\":\"quarterly drill\"}");
        adminPost("/api/v1/side-effects/resume", "{\"route\":\"payments\",\"by\":\"carol\",\"reason\":\"fixed\"}");
        adminPost("/api/v1/side-effects/resume", "{\"by\":\"dave\",\"reason\":\"drill over\"}");

        assertLogged(mark, "side effects paused on one route", "carol", "refund bug");
        assertLogged(mark, "side effects paused on every side-effect route", "dave", "quarterly drill");
        assertLogged(mark, "side effects resumed on one route", "carol", "fixed");
        assertLogged(mark, "side effects resumed on every route", "dave", "drill over");
    }

    // ---- rampart pause / resume ----------------------------------------------------------------------------------

    @Test
    void pauseAndResumeCommandsSwitchARouteAndExitZero() {
        int mark = gateway.stdoutMark();

        RampartProcess pause = rampart("pause", "--admin", adminUrl(), "--route", "payments", "--reason",
                "cli drill", "--by", "erin", "--retry-after", "7");

        assertThat(pause.waitFor(COMMAND_TIME)).as(pause.outputForDiagnosis()).isZero();
        assertThat(pause.stdout()).contains("payments: paused", "emails: running");
        HttpResponse<String> charge = post("/payments/cli");
        AdmissionIT.assertError(charge, 503, "paused");
        assertThat(charge.headers().firstValue("retry-after")).hasValue("7");
        assertLogged(mark, "side effects paused on one route", "erin", "cli drill");
        RampartProcess status = rampart("status", "--admin", adminUrl());
        assertThat(status.waitFor(COMMAND_TIME)).as(status.outputForDiagnosis()).isZero();
        assertThat(status.stdout()).anySatisfy(line -> assertThat(line)
                .startsWith("PAUSED route payments since ").contains("by erin: cli drill"));

        RampartProcess resume = rampart("resume", "--admin", adminUrl(), "--route", "payments", "--reason",
                "cli drill over", "--by", "erin");

        assertThat(resume.waitFor(COMMAND_TIME)).as(resume.outputForDiagnosis()).isZero();
        assertThat(resume.stdout()).contains("payments: running");
        assertThat(post("/payments/cli").statusCode()).isEqualTo(200);
        assertThat(origin.requests("/payments/cli")).isEqualTo(1);
        assertLogged(mark, "side effects resumed on one route", "erin", "cli drill over");
    }

    @Test
    void pauseAndResumeCommandsExitFourWhenTheGatewayRefuses() {
        RampartProcess pause = rampart("pause", "--admin", adminUrl(), "--route", "catalog", "--reason", "drill");
        RampartProcess resume = rampart("resume", "--admin", adminUrl(), "--reason", "nothing to resume");

        assertThat(pause.waitFor(COMMAND_TIME)).as(pause.outputForDiagnosis()).isEqualTo(4);
        assertThat(String.join("\n", pause.stderr())).contains("catalog").contains("side-effects: true");
        assertThat(resume.waitFor(COMMAND_TIME)).as(resume.outputForDiagnosis()).isEqualTo(4);
        assertThat(String.join("\n", resume.stderr())).contains("No side-effect route is paused");
    }

    @Test
    void pauseCommandExitsOneWhenTheAdminPortDoesNotAnswer() {
        int closed = FreePorts.closed();

        RampartProcess pause = rampart("pause", "--admin", "http://127.0.0.1:" + closed, "--reason", "drill");

        assertThat(pause.waitFor(COMMAND_TIME)).as(pause.outputForDiagnosis()).isEqualTo(1);
        assertThat(String.join("\n", pause.stderr())).contains("cannot reach the admin port");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Fails unless a JSON line on stdout after {@code mark} logs this change, by {@code by} for {@code reason}. */
    private static void assertLogged(int mark, String message, String by, String reason) {
        String line = gateway.awaitStdoutSince(mark, text -> JsonLines.tryParse(text)
                .filter(json -> json.path("message").asText().equals(message))
                .filter(json -> json.path("by").asText().equals(by))
                .isPresent(), Duration.ofSeconds(5));
        assertThat(JsonLines.parse(line).path("reason").asText()).isEqualTo(reason);
    }

    private RampartProcess rampart(String... args) {
        return RampartProcess.launch("SideEffectPauseIT-cli", dir, List.of("-Xmx64m"), List.of(args));
    }

    private static String adminUrl() {
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    private static HttpResponse<String> pause(String json) {
        return adminPost("/api/v1/side-effects/pause", json);
    }

    private static HttpResponse<String> adminPost(String path, String json) {
        return admin("POST", path, json);
    }

    private static HttpResponse<String> admin(String method, String path, String json) {
        return RampartProcess.send(HttpRequest.newBuilder(gateway.adminUri(path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .method(method, Optional.ofNullable(json).map(HttpRequest.BodyPublishers::ofString)
                        .orElse(HttpRequest.BodyPublishers.noBody()))
                .build());
    }

    private static HttpResponse<String> post(String path) {
        return RampartProcess.send(HttpRequest.newBuilder(gateway.uri(path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"someone\"}"))
                .build());
    }
}
