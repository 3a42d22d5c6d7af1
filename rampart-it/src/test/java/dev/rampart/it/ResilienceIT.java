package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.ScriptedUpstream;
import dev.rampart.it.support.ScriptedUpstream.Received;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.rampart.it.support.ScriptedUpstream.Behaviour.hang;
import static dev.rampart.it.support.ScriptedUpstream.Behaviour.ok;
import static dev.rampart.it.support.ScriptedUpstream.Behaviour.overloaded;
import static dev.rampart.it.support.ScriptedUpstream.Behaviour.reset;
import static dev.rampart.it.support.ScriptedUpstream.Behaviour.slow;
import static dev.rampart.it.support.ScriptedUpstream.Behaviour.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The resilience policies of one running gateway, proved black-box against upstreams whose behaviour each test
 * switches at runtime: retries (which requests, where to, how often, within which budget and deadline), circuit
 * breakers, outlier ejection, health checks and backups, fallbacks, load shedding, hedging and injected faults.
 *
 * <p>Every test has upstreams and routes of its own, so that one test's failures never trip another's breaker, budget
 * or ejection; policies a test does not look at are switched off on its upstream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResilienceIT {
    /** Switches off the per-upstream policies that are on by default, for upstreams whose test is about another. */
    private static final String QUIET = "circuit-breaker: { enabled: false }, outlier-detection: { enabled: false }";
    /** Generous for loopback, since a check answered later than its timeout fails even on a busy two-core box. */
    private static final String HEALTH_CHECK = "health-check: { path: /healthz, interval: 300ms, timeout: 250ms, "
            + "healthy-threshold: 1, unhealthy-threshold: 2 }";
    private static final Duration SLOW_UPSTREAM = Duration.ofSeconds(1);
    /** How much later than planned something may happen and still pass, on a loaded two-core machine. */
    private static final Duration SLACK = Duration.ofMillis(700);
    /** What "at once" means in the gateway's own measure (the access log's duration_ms). */
    private static final double AT_ONCE_MS = 100;

    private static final Upstreams upstreams = new Upstreams();
    private static final Map<String, ScriptedUpstream> endpoints = new LinkedHashMap<>();
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        for (String name : List.of("twin-a", "twin-b", "post-a", "post-b", "hang-a", "hang-b", "busy", "storm",
                "fragile", "flaky-a", "steady-b", "lonely", "checked-a", "checked-b", "primary-a", "primary-b",
                "spare", "doomed", "survivor", "broken", "slowpoke", "shared", "hedge-slow", "hedge-fast", "steady")) {
            endpoints.put(name, ScriptedUpstream.start(upstreams, name));
        }
        String config = """
                service: resilience-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                metrics: { enabled: true }
                upstreams:
                  twins: { endpoints: [ "{{twin-a}}", "{{twin-b}}" ], load-balancer: round-robin, QUIET }
                  posts: { endpoints: [ "{{post-a}}", "{{post-b}}" ], QUIET }
                  hangs: { endpoints: [ "{{hang-a}}", "{{hang-b}}" ], QUIET }
                  busy: { endpoints: [ "{{busy}}" ], QUIET }
                  spendthrift:
                    { endpoints: [ "{{storm}}" ], retry-budget: { enabled: true, ratio: 20%, min-retries-per-second: 3, window: 10s }, QUIET }
                  fragile:
                    endpoints: [ "{{fragile}}" ]
                    circuit-breaker: { enabled: true, failure-rate: 50%, window: 10s, minimum-calls: 5, open-duration: 2s, half-open-calls: 1 }
                    outlier-detection: { enabled: false }
                  ejecting:
                    endpoints: [ "{{flaky-a}}", "{{steady-b}}" ]
                    circuit-breaker: { enabled: false }
                    outlier-detection: { enabled: true, consecutive-failures: 3, base-ejection: 20s, max-ejection: 300s, max-ejected: 50% }
                  lonely:
                    endpoints: [ "{{lonely}}" ]
                    circuit-breaker: { enabled: false }
                    outlier-detection: { enabled: true, consecutive-failures: 3, base-ejection: 20s, max-ejected: 100% }
                  checked: { endpoints: [ "{{checked-a}}", "{{checked-b}}" ], HEALTH_CHECK, QUIET }
                  primary: { endpoints: [ "{{primary-a}}", "{{primary-b}}" ], backup: spare, HEALTH_CHECK, QUIET }
                  spare: { endpoints: [ "{{spare}}" ], QUIET }
                  doomed: { endpoints: [ "{{doomed}}" ], HEALTH_CHECK, QUIET }
                  gone: { endpoints: [ "http://127.0.0.1:CLOSED_PORT" ], QUIET }
                  broken: { endpoints: [ "{{broken}}" ], QUIET }
                  half-gone: { endpoints: [ "http://127.0.0.1:CLOSED_PORT", "{{survivor}}" ], QUIET }
                  slowpoke: { endpoints: [ "{{slowpoke}}" ], QUIET }
                  shared: { endpoints: [ "{{shared}}" ], concurrency-limit: { kind: fixed, limit: 5 }, QUIET }
                  hedged: { endpoints: [ "{{hedge-slow}}", "{{hedge-fast}}" ], QUIET }
                  steady: { endpoints: [ "{{steady}}" ], QUIET }
                routes:
                  - { id: retried, match: { prefix: /retried/ }, upstream: twins }
                  - { id: posts, match: { prefix: /posts/ }, upstream: posts }
                  - id: per-try
                    match: { prefix: /per-try/ }
                    upstream: hangs
                    retries: { attempts: 2, per-try-timeout: 300ms }
                    timeouts: { total: 5s }
                  - { id: overload, match: { prefix: /overload/ }, upstream: busy, timeouts: { total: 2s } }
                  - id: budget
                    match: { prefix: /budget/ }
                    upstream: spendthrift
                    retries: { attempts: 5, backoff: { base: 1ms, cap: 2ms } }
                  - { id: breaker, match: { prefix: /breaker/ }, upstream: fragile, retries: { attempts: 1 } }
                  - { id: outlier, match: { prefix: /outlier/ }, upstream: ejecting }
                  - { id: lonely, match: { prefix: /lonely/ }, upstream: lonely, retries: { attempts: 1 } }
                  - { id: checked, match: { prefix: /checked/ }, upstream: checked, retries: { attempts: 1 } }
                  - { id: failover, match: { prefix: /failover/ }, upstream: primary, retries: { attempts: 1 } }
                  - id: fallback
                    match: { prefix: /fallback/ }
                    upstream: gone
                    fallback: { status: 200, headers: { content-type: application/json }, body: '{"fallback":true}' }
                  - { id: half-gone, match: { prefix: /half-gone/ }, upstream: half-gone }
                  - { id: doomed, match: { prefix: /doomed/ }, upstream: doomed }
                  - id: doomed-fallback
                    match: { prefix: /doomed-fallback/ }
                    upstream: doomed
                    fallback: { status: 200, body: 'nothing here' }
                  - id: broken-fallback
                    match: { prefix: /broken-fallback/ }
                    upstream: broken
                    retries: { attempts: 1 }
                    fallback: { status: 203, headers: { content-type: text/plain }, body: 'stale but fine' }
                  - id: limited
                    match: { prefix: /limited/ }
                    upstream: slowpoke
                    retries: { attempts: 1 }
                    concurrency-limit: { kind: fixed, limit: 2 }
                  - { id: bulk, match: { prefix: /bulk/ }, upstream: shared, retries: { attempts: 1 } }
                  - { id: vip, match: { prefix: /vip/ }, upstream: shared, retries: { attempts: 1 }, critical: true }
                  - { id: hedge, match: { prefix: /hedge/ }, upstream: hedged, hedge: { delay: 100ms } }
                  - id: chaos-abort
                    match: { prefix: /chaos-abort/ }
                    upstream: steady
                    fault: { abort: { status: 503, percentage: 100% }, header: x-chaos }
                  - id: chaos-delay
                    match: { prefix: /chaos-delay/ }
                    upstream: steady
                    fault: { delay: { duration: 300ms, percentage: 100% } }
                  - id: chaos-reset
                    match: { prefix: /chaos-reset/ }
                    upstream: steady
                    fault: { abort: { status: reset, percentage: 100% } }
                """
                .replace("QUIET", QUIET)
                .replace("HEALTH_CHECK", HEALTH_CHECK)
                .replace("CLOSED_PORT", Integer.toString(FreePorts.closed()));
        for (Map.Entry<String, ScriptedUpstream> endpoint : endpoints.entrySet()) {
            config = config.replace("{{" + endpoint.getKey() + "}}", endpoint.getValue().url());
        }
        gateway = RampartProcess.gateway(config).name("ResilienceIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    // ---- retries -------------------------------------------------------------------------------------------------

    @Test
    void getThatGets503IsRetriedOnTheOtherEndpointAndSucceeds() {
        ScriptedUpstream failing = endpoint("twin-a").behave(status(503));
        ScriptedUpstream healthy = endpoint("twin-b").behave(ok());

        List<String> retried = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = "retry-503-" + i;
            HttpResponse<String> response = gateway.get("/retried/items/" + i, "x-request-id", id);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("twin-b");
            JsonNode logged = gateway.awaitAccessLog(id);
            assertThat(logged.path("upstream").asText()).isEqualTo(healthy.url());
            if (logged.path("attempts").asInt() == 2) {
                retried.add(id);
                assertThat(failing.received(id)).singleElement()
                        .satisfies(first -> assertThat(first.header("x-rampart-attempt")).isNull());
                assertThat(healthy.received(id)).singleElement()
                        .satisfies(second -> assertThat(second.header("x-rampart-attempt")).isEqualTo("2"));
            } else {
                assertThat(logged.path("attempts").asInt()).isEqualTo(1);
                assertThat(failing.received(id)).isEmpty();
            }
        }
        assertThat(retried).as("requests that met the failing endpoint first and were retried").isNotEmpty();
    }

    @Test
    void postWithoutIdempotencyKeyIsNotRetried() {
        endpoint("post-a").behave(status(503));
        endpoint("post-b").behave(status(503));

        HttpResponse<String> response = post("/posts/orders", "post-plain", body(), null);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(gateway.awaitAccessLog("post-plain").path("attempts").asInt()).isEqualTo(1);
        assertThat(received("post-plain", "post-a", "post-b")).hasSize(1);
    }

    @Test
    void postWithIdempotencyKeyIsRetriedWithTheSameBodyOnTheOtherEndpoint() {
        endpoint("post-a").behave(status(503));
        endpoint("post-b").behave(status(503));
        byte[] body = body();

        HttpResponse<String> response = post("/posts/orders", "post-keyed", body, "order-4711");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(gateway.awaitAccessLog("post-keyed").path("attempts").asInt()).isEqualTo(2);
        assertThat(endpoint("post-a").received("post-keyed")).as("one attempt on each endpoint").hasSize(1);
        assertThat(endpoint("post-b").received("post-keyed")).as("one attempt on each endpoint").hasSize(1);
        List<Received> attempts = received("post-keyed", "post-a", "post-b");
        for (Received attempt : attempts) {
            assertThat(attempt.method()).isEqualTo("POST");
            assertThat(attempt.body()).as("the body each attempt carried").isEqualTo(body);
            assertThat(attempt.header("idempotency-key")).isEqualTo("order-4711");
        }
        assertThat(attempts).extracting(attempt -> attempt.header("x-rampart-attempt"))
                .containsExactlyInAnyOrder(null, "2");
    }

    @Test
    void chunkedBodyIsResentIdenticallyOnRetry() {
        endpoint("post-a").behave(status(503));
        endpoint("post-b").behave(status(503));
        byte[] body = body();

        HttpResponse<String> response = RampartProcess.send(HttpRequest.newBuilder(gateway.uri("/posts/chunked"))
                .timeout(Duration.ofSeconds(30)).header("x-request-id", "post-chunked")
                .header("idempotency-key", "chunked-1")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());

        assertThat(response.statusCode()).isEqualTo(503);
        List<Received> attempts = received("post-chunked", "post-a", "post-b");
        assertThat(attempts).hasSize(2);
        assertThat(attempts).allSatisfy(attempt -> assertThat(attempt.body()).isEqualTo(body));
    }

    @Test
    void putIsRetriedWithoutAnIdempotencyKey() {
        endpoint("post-a").behave(status(503));
        endpoint("post-b").behave(status(503));

        HttpResponse<String> response = RampartProcess.send(HttpRequest.newBuilder(gateway.uri("/posts/orders/1"))
                .timeout(Duration.ofSeconds(30)).header("x-request-id", "put-plain")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"qty\":2}")).build());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(gateway.awaitAccessLog("put-plain").path("attempts").asInt()).isEqualTo(2);
        assertThat(received("put-plain", "post-a", "post-b")).hasSize(2);
    }

    @Test
    void bodyLargerThanTheRetryBufferIsSentOnceAndWhole() {
        endpoint("post-a").behave(status(503));
        endpoint("post-b").behave(status(503));
        byte[] body = new byte[100_000]; // over the default max-buffered-body of 64 KiB
        new Random(7).nextBytes(body);

        HttpResponse<String> response = post("/posts/large", "post-large", body, "large-1");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(gateway.awaitAccessLog("post-large").path("attempts").asInt()).isEqualTo(1);
        assertThat(received("post-large", "post-a", "post-b")).singleElement()
                .satisfies(attempt -> assertThat(attempt.body()).isEqualTo(body));
    }

    @Test
    void discardedAnswerOfARetriedAttemptLeavesNoErrorInTheLog() {
        endpoint("twin-a").behave(status(503));
        endpoint("twin-b").behave(ok());
        int mark = gateway.stdoutMark();

        List<String> retried = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = "quiet-retry-" + i;
            assertThat(gateway.get("/retried/quiet/" + i, "x-request-id", id).statusCode()).isEqualTo(200);
            if (gateway.awaitAccessLog(id).path("attempts").asInt() == 2) {
                retried.add(id);
            }
        }
        assertThat(retried).isNotEmpty();
        sleep(Duration.ofMillis(300)); // whatever the discarded attempts cause is logged by now

        // a retried 503 is routine: the access line says what happened, nothing else is an error
        assertThat(gateway.stdoutSince(mark).stream().map(JsonLines::tryParse).flatMap(Optional::stream)
                .filter(line -> !JsonLines.isAccessLine(line))
                .filter(line -> line.path("level").asText().equals("ERROR"))
                .map(JsonNode::toString).toList()).isEmpty();
    }

    @Test
    void connectionRefusedIsRetriedOnTheOtherEndpoint() {
        ScriptedUpstream survivor = endpoint("survivor").behave(ok());

        boolean sawRetry = false;
        for (int i = 0; i < 4 && !sawRetry; i++) {
            String id = "refused-" + i;
            HttpResponse<String> response = gateway.get("/half-gone/items/" + i, "x-request-id", id);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("survivor");
            JsonNode logged = gateway.awaitAccessLog(id);
            assertThat(logged.path("upstream").asText()).isEqualTo(survivor.url());
            if (logged.path("attempts").asInt() == 2) {
                sawRetry = true;
                assertThat(survivor.received(id)).singleElement()
                        .satisfies(retry -> assertThat(retry.header("x-rampart-attempt")).isEqualTo("2"));
            }
        }
        assertThat(sawRetry).as("a request met the closed port first").isTrue();
    }

    @Test
    void attemptThatHangsIsCutAtThePerTryTimeoutAndRetriedOnTheHealthyEndpoint() {
        ScriptedUpstream hanging = endpoint("hang-a").behave(hang());
        ScriptedUpstream healthy = endpoint("hang-b").behave(ok());

        boolean sawRetry = false;
        for (int i = 0; i < 4 && !sawRetry; i++) {
            String id = "per-try-" + i;
            long start = System.nanoTime();
            HttpResponse<String> response = gateway.get("/per-try/items/" + i, "x-request-id", id);
            Duration elapsed = since(start);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hang-b");
            JsonNode logged = gateway.awaitAccessLog(id);
            if (logged.path("attempts").asInt() == 2) {
                sawRetry = true;
                assertThat(hanging.received(id)).hasSize(1);
                assertThat(logged.path("upstream").asText()).isEqualTo(healthy.url());
                // 300 ms per try, then at most a 250 ms backoff: far from the route's 5 s total
                assertThat(elapsed).isBetween(Duration.ofMillis(300), Duration.ofMillis(550).plus(SLACK).plus(SLACK));
            }
        }
        assertThat(sawRetry).as("a request met the hanging endpoint first").isTrue();
    }

    @Test
    void answerMarkedOverloadedIsNotRetried() {
        ScriptedUpstream busy = endpoint("busy").behave(overloaded());

        HttpResponse<String> response = gateway.get("/overload/items/1", "x-request-id", "overloaded");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(gateway.awaitAccessLog("overloaded").path("attempts").asInt()).isEqualTo(1);
        assertThat(busy.received("overloaded")).hasSize(1);
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_retries_suppressed_total",
                "upstream", "busy", "reason", "overload")).isGreaterThanOrEqualTo(1));

        busy.behave(status(503, "x-envoy-overloaded", "true"));
        assertThat(gateway.get("/overload/items/1", "x-request-id", "envoy-overloaded").statusCode()).isEqualTo(503);
        assertThat(busy.received("envoy-overloaded")).as("Envoy's overload header is honoured too").hasSize(1);

        // the same 503 without the header is retried
        busy.behave(status(503));
        assertThat(gateway.get("/overload/items/1", "x-request-id", "not-overloaded").statusCode()).isEqualTo(503);
        assertThat(gateway.awaitAccessLog("not-overloaded").path("attempts").asInt()).isEqualTo(2);
        assertThat(busy.received("not-overloaded")).hasSize(2);
    }

    @Test
    void retryAfterIsWaitedForWhenItFitsTheDeadlineAndEndsTheRequestWhenItDoesNot() {
        ScriptedUpstream busy = endpoint("busy").behave(status(503, "retry-after", "1"));

        gateway.get("/overload/items/2", "x-request-id", "retry-after-fits");

        List<Received> attempts = busy.received("retry-after-fits");
        assertThat(attempts).hasSize(2);
        assertThat(Duration.ofNanos(attempts.get(1).arrivedNanos() - attempts.get(0).arrivedNanos()))
                .as("wait between the attempts").isGreaterThanOrEqualTo(Duration.ofMillis(950));

        // the route's total timeout is 2 s: waiting 10 s cannot fit, so the 503 goes back at once
        busy.behave(status(503, "retry-after", "10"));
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.get("/overload/items/3", "x-request-id", "retry-after-too-long");

        assertThat(since(start)).isLessThan(SLACK);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("retry-after")).hasValue("10");
        assertThat(busy.received("retry-after-too-long")).hasSize(1);
        assertThat(gateway.awaitAccessLog("retry-after-too-long").path("attempts").asInt()).isEqualTo(1);
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_retries_suppressed_total",
                "upstream", "busy", "reason", "deadline")).isGreaterThanOrEqualTo(1));
    }

    @Test
    void retriesStopWhenTheBudgetIsSpent() {
        ScriptedUpstream storm = endpoint("storm").behave(status(503));
        int requests = 50;

        for (int i = 0; i < requests; i++) {
            assertThat(gateway.get("/budget/items/" + i).statusCode()).isEqualTo(503);
        }

        // 5 attempts each would be 250; the budget allows 20 % of the requests plus 3/s over the 10 s window
        int sent = storm.requests();
        assertThat(sent).as("requests that reached the failing upstream")
                .isGreaterThan(requests)
                .isLessThanOrEqualTo((int) (requests * 1.2) + 3 * 10 + 5);
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_retries_suppressed_total",
                "upstream", "spendthrift", "reason", "budget")).isPositive());
        JsonNode budget = upstreamReport("spendthrift").path("retry_budget");
        assertThat(budget.path("enabled").asBoolean()).isTrue();
        assertThat(budget.path("suppressed").asLong()).isPositive();
        double amplification = 1.2 + 30.0 / requests + 0.1;
        assertThat(budget.path("amplification").asDouble()).isBetween(1.0, amplification);
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_upstream_amplification_ratio",
                "upstream", "spendthrift")).isBetween(1.0, amplification));
    }

    // ---- circuit breaker -----------------------------------------------------------------------------------------

    @Test
    void circuitOpensAfterTheFailureThresholdAnswersAtOnceAndClosesAgainOnceTheUpstreamHeals() {
        ScriptedUpstream fragile = endpoint("fragile").behave(status(500));
        int mark = gateway.stdoutMark();
        for (int i = 0; i < 5; i++) {
            assertThat(gateway.get("/breaker/items/" + i).statusCode()).isEqualTo(500);
        }
        JsonNode opened = awaitLogLine(mark, "circuit breaker open", "fragile");
        assertThat(opened.path("endpoint").asText()).isEqualTo(fragile.url());
        int reached = fragile.requests();

        long start = System.nanoTime();
        HttpResponse<String> refused = gateway.get("/breaker/items/refused", "x-request-id", "circuit-open");
        long openedAt = System.nanoTime();

        assertThat(since(start)).as("answered without the upstream").isLessThan(SLACK);
        assertError(refused, 503, "circuit_open");
        assertThat(refused.headers().firstValue("retry-after")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2));
        assertThat(fragile.requests()).isEqualTo(reached);
        JsonNode logged = gateway.awaitAccessLog("circuit-open");
        assertThat(logged.path("error_code").asText()).isEqualTo("circuit_open");
        assertThat(logged.path("attempts").asInt()).isZero();
        assertThat(logged.path("duration_ms").asDouble()).isLessThan(AT_ONCE_MS);
        JsonNode report = endpointReport("fragile", fragile);
        assertThat(report.path("circuit_breaker").path("state").asText()).isEqualTo("open");
        assertThat(report.path("available").asBoolean()).isFalse();
        awaitMetrics(scrape -> {
            assertThat(scrape.value("rampart_circuit_breaker_state", "upstream", "fragile", "endpoint", fragile.url(),
                    "state", "open")).isEqualTo(1);
            assertThat(scrape.value("rampart_circuit_breaker_state", "upstream", "fragile", "endpoint", fragile.url(),
                    "state", "closed")).isZero();
        });

        fragile.behave(ok());
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .until(() -> gateway.get("/breaker/items/probe").statusCode() == 200);

        assertThat(since(openedAt)).as("closed only after the open duration").isGreaterThan(Duration.ofMillis(1500));
        assertThat(awaitLogLine(mark, "circuit breaker half-open", "fragile").path("endpoint").asText())
                .isEqualTo(fragile.url());
        assertThat(awaitLogLine(mark, "circuit breaker closed", "fragile").path("endpoint").asText())
                .isEqualTo(fragile.url());
        assertThat(gateway.get("/breaker/items/after").statusCode()).isEqualTo(200);
        assertThat(endpointReport("fragile", fragile).path("circuit_breaker").path("state").asText())
                .isEqualTo("closed");
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_circuit_breaker_state", "upstream", "fragile",
                "endpoint", fragile.url(), "state", "closed")).isEqualTo(1));
    }

    // ---- outlier detection ---------------------------------------------------------------------------------------

    @Test
    void endpointThatResetsThreeTimesInARowIsEjectedAndGetsNoMoreTraffic() {
        ScriptedUpstream flaky = endpoint("flaky-a").behave(reset());
        ScriptedUpstream steady = endpoint("steady-b").behave(ok());
        int mark = gateway.stdoutMark();

        for (int i = 0; i < 12 && flaky.requests() < 3; i++) {
            HttpResponse<String> response = gateway.get("/outlier/items/" + i);
            assertThat(response.statusCode()).as("a reset is retried on the other endpoint").isEqualTo(200);
        }
        assertThat(flaky.requests()).isEqualTo(3);
        JsonNode ejected = awaitLogLine(mark, "endpoint ejected after consecutive failures", "ejecting");
        assertThat(ejected.path("endpoint").asText()).isEqualTo(flaky.url());

        for (int i = 0; i < 6; i++) {
            String id = "after-ejection-" + i;
            HttpResponse<String> response = gateway.get("/outlier/items/" + i, "x-request-id", id);
            assertThat(response.body()).isEqualTo("steady-b");
            assertThat(gateway.awaitAccessLog(id).path("attempts").asInt()).isEqualTo(1);
        }
        assertThat(flaky.requests()).as("requests to the ejected endpoint").isEqualTo(3);

        JsonNode report = upstreamReport("ejecting");
        assertThat(report.path("available_endpoints").asInt()).isEqualTo(1);
        JsonNode flakyReport = endpointReport("ejecting", flaky);
        assertThat(flakyReport.path("available").asBoolean()).isFalse();
        assertThat(flakyReport.path("outlier").path("ejected").asBoolean()).isTrue();
        assertThat(flakyReport.path("outlier").path("ejections_total").asInt()).isEqualTo(1);
        assertThat(flakyReport.path("outlier").path("remaining_ms").asLong()).isBetween(1L, 20_000L);
        JsonNode steadyReport = endpointReport("ejecting", steady);
        assertThat(steadyReport.path("available").asBoolean()).isTrue();
        assertThat(steadyReport.path("outlier").path("ejected").asBoolean()).isFalse();
        awaitMetrics(scrape -> {
            assertThat(scrape.value("rampart_upstream_endpoint_ejected", "upstream", "ejecting",
                    "endpoint", flaky.url())).isEqualTo(1);
            assertThat(scrape.value("rampart_upstream_endpoint_ejected", "upstream", "ejecting",
                    "endpoint", steady.url())).isZero();
        });
    }

    @Test
    void theOnlyEndpointOfAnUpstreamIsNeverEjected() {
        ScriptedUpstream lonely = endpoint("lonely").behave(reset());
        int mark = gateway.stdoutMark();

        for (int i = 0; i < 6; i++) {
            assertError(gateway.get("/lonely/items/" + i), 502, "upstream_reset");
        }

        assertThat(lonely.requests()).as("every request still reached it").isEqualTo(6);
        assertThat(gateway.stdoutSince(mark)).noneMatch(line -> line.contains("endpoint ejected")
                && line.contains("\"upstream\":\"lonely\""));
        JsonNode report = endpointReport("lonely", lonely);
        assertThat(report.path("outlier").path("ejected").asBoolean()).isFalse();
        assertThat(report.path("available").asBoolean()).isTrue();
    }

    // ---- health checks and backups -------------------------------------------------------------------------------

    @Test
    void endpointFailingItsHealthCheckGetsNoTrafficUntilItRecovers() {
        ScriptedUpstream sick = endpoint("checked-a");
        ScriptedUpstream well = endpoint("checked-b");
        int mark = gateway.stdoutMark();

        sick.healthy(false);
        awaitLogLine(mark, "endpoint unhealthy", "checked", sick.url());
        int before = sick.requests();
        for (int i = 0; i < 6; i++) {
            assertThat(gateway.get("/checked/items/" + i).body()).isEqualTo("checked-b");
        }
        assertThat(sick.requests()).isEqualTo(before);
        JsonNode sickReport = endpointReport("checked", sick);
        assertThat(sickReport.path("health").asText()).isEqualTo("unhealthy");
        assertThat(sickReport.path("available").asBoolean()).isFalse();
        assertThat(endpointReport("checked", well).path("health").asText()).isEqualTo("healthy");
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_upstream_endpoint_healthy", "upstream", "checked",
                "endpoint", sick.url())).isZero());

        int recovered = gateway.stdoutMark();
        sick.healthy(true);
        awaitLogLine(recovered, "endpoint healthy", "checked", sick.url());
        for (int i = 0; i < 6; i++) {
            assertThat(gateway.get("/checked/items/" + i).statusCode()).isEqualTo(200);
        }
        assertThat(sick.requests()).as("traffic to the recovered endpoint").isGreaterThan(before);
        assertThat(endpointReport("checked", sick).path("health").asText()).isEqualTo("healthy");
    }

    @Test
    void backupUpstreamServesWhileNoPrimaryEndpointIsHealthy() {
        ScriptedUpstream primaryA = endpoint("primary-a");
        ScriptedUpstream primaryB = endpoint("primary-b");
        ScriptedUpstream spare = endpoint("spare");
        int mark = gateway.stdoutMark();

        primaryA.healthy(false);
        primaryB.healthy(false);
        awaitLogLine(mark, "endpoint unhealthy", "primary", primaryA.url());
        awaitLogLine(mark, "endpoint unhealthy", "primary", primaryB.url());

        HttpResponse<String> response = gateway.get("/failover/items/1", "x-request-id", "failover");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("spare");
        assertThat(gateway.awaitAccessLog("failover").path("upstream").asText()).isEqualTo(spare.url());
        JsonNode report = upstreamReport("primary");
        assertThat(report.path("available_endpoints").asInt()).isZero();
        assertThat(report.path("backup").asText()).isEqualTo("spare");

        int healed = gateway.stdoutMark();
        primaryA.healthy(true);
        primaryB.healthy(true);
        awaitLogLine(healed, "endpoint healthy", "primary", primaryA.url());
        awaitLogLine(healed, "endpoint healthy", "primary", primaryB.url());
        assertThat(gateway.get("/failover/items/2").body()).startsWith("primary-");
    }

    // ---- fallback ------------------------------------------------------------------------------------------------

    @Test
    void fallbackAnswersWhenTheUpstreamCannotBeReached() {
        HttpResponse<String> response = gateway.get("/fallback/items/1", "x-request-id", "fallback");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"fallback\":true}");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-rampart-fallback")).hasValue("upstream_unavailable");
        JsonNode logged = gateway.awaitAccessLog("fallback");
        assertThat(logged.path("status").asInt()).isEqualTo(200);
        assertThat(logged.path("fallback").asText()).isEqualTo("upstream_unavailable");
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_fallbacks_total",
                "route", "fallback", "error_code", "upstream_unavailable")).isEqualTo(1));
    }

    @Test
    void withoutAHealthyEndpointTheAnswerIsNoHealthyUpstreamOrTheFallback() {
        ScriptedUpstream doomed = endpoint("doomed");
        int mark = gateway.stdoutMark();
        doomed.healthy(false);
        awaitLogLine(mark, "endpoint unhealthy", "doomed", doomed.url());

        HttpResponse<String> refused = gateway.get("/doomed/items/1", "x-request-id", "no-healthy");
        HttpResponse<String> fallback = gateway.get("/doomed-fallback/items/1", "x-request-id", "no-healthy-fallback");

        assertError(refused, 503, "no_healthy_upstream");
        assertThat(gateway.awaitAccessLog("no-healthy").path("attempts").asInt()).isZero();
        assertThat(fallback.statusCode()).isEqualTo(200);
        assertThat(fallback.body()).isEqualTo("nothing here");
        assertThat(fallback.headers().firstValue("x-rampart-fallback")).hasValue("no_healthy_upstream");
        assertThat(gateway.awaitAccessLog("no-healthy-fallback").path("fallback").asText())
                .isEqualTo("no_healthy_upstream");
        assertThat(doomed.requests()).isZero();
    }

    @Test
    void fallbackStandsInForAnUpstream503() {
        endpoint("broken").behave(status(503));

        HttpResponse<String> response = gateway.get("/broken-fallback/items/1", "x-request-id", "fallback-503");

        assertThat(response.statusCode()).isEqualTo(203);
        assertThat(response.body()).isEqualTo("stale but fine");
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain");
        assertThat(response.headers().firstValue("x-rampart-fallback")).hasValue("upstream_error");
        JsonNode logged = gateway.awaitAccessLog("fallback-503");
        assertThat(logged.path("fallback").asText()).isEqualTo("upstream_error");
        assertThat(logged.path("upstream_status").asInt()).isEqualTo(503);
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_fallbacks_total",
                "route", "broken-fallback", "error_code", "upstream_error")).isEqualTo(1));
    }

    // ---- load shedding -------------------------------------------------------------------------------------------

    @Test
    void requestsBeyondTheRouteConcurrencyLimitAreShedAtOnce() {
        ScriptedUpstream slowpoke = endpoint("slowpoke").behave(slow(SLOW_UPSTREAM));
        List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            admitted.add(getAsync("/limited/items/" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> slowpoke.requests() == 2);

        long start = System.nanoTime();
        HttpResponse<String> shed = gateway.get("/limited/items/3", "x-request-id", "shed-route");

        assertThat(since(start)).as("shed without waiting for the slow upstream").isLessThan(SLACK);
        assertThat(gateway.awaitAccessLog("shed-route").path("duration_ms").asDouble()).isLessThan(AT_ONCE_MS);
        assertError(shed, 503, "load_shed");
        assertThat(shed.headers().firstValue("retry-after")).hasValue("1");
        assertThat(slowpoke.requests()).isEqualTo(2);
        assertThat(admitted).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(200));
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_requests_shed_total",
                "route", "limited", "limiter", "route")).isEqualTo(1));

        // the shed request took no permit with it: two at once fit again
        slowpoke.behave(slow(Duration.ofMillis(300)));
        List<CompletableFuture<HttpResponse<String>>> again = List.of(getAsync("/limited/again/1"),
                getAsync("/limited/again/2"));
        assertThat(again).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(200));
    }

    @Test
    void criticalRouteIsStillAdmittedWhileOtherRoutesAreShedAtTheUpstreamLimit() {
        ScriptedUpstream shared = endpoint("shared").behave(slow(SLOW_UPSTREAM));
        List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
        // the upstream's limit is 5; routes that are not critical may fill 80 % of it
        for (int i = 0; i < 4; i++) {
            admitted.add(getAsync("/bulk/items/" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> shared.requests() == 4);

        HttpResponse<String> shed = gateway.get("/bulk/items/5");
        CompletableFuture<HttpResponse<String>> critical = getAsync("/vip/items/1");

        assertError(shed, 503, "load_shed");
        assertThat(shed.headers().firstValue("retry-after")).hasValue("1");
        assertThat(critical.join().statusCode()).as("the critical route's request").isEqualTo(200);
        assertThat(shared.received()).extracting(Received::uri).contains("/vip/items/1");
        assertThat(admitted).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(200));
        awaitMetrics(scrape -> {
            assertThat(scrape.value("rampart_requests_shed_total", "route", "bulk", "limiter", "upstream"))
                    .isEqualTo(1);
            assertThat(scrape.has("rampart_requests_shed_total", "route", "vip")).isFalse();
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(upstreamReport("shared")
                .path("concurrency_limit").path("in_flight").asInt()).as("permits left taken").isZero());
    }

    // ---- hedging -------------------------------------------------------------------------------------------------

    @Test
    void hedgedRequestIsAnsweredByTheFastEndpointWhileTheSlowOneStillWorks() {
        endpoint("hedge-slow").behave(slow(SLOW_UPSTREAM));
        ScriptedUpstream fast = endpoint("hedge-fast").behave(ok());

        int hedged = 0;
        for (int i = 0; i < 6; i++) {
            String id = "hedge-" + i;
            long start = System.nanoTime();
            HttpResponse<String> response = gateway.get("/hedge/items/" + i, "x-request-id", id);
            Duration elapsed = since(start);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hedge-fast");
            assertThat(elapsed).as("answered before the slow endpoint's 1 s").isLessThan(SLOW_UPSTREAM);
            JsonNode logged = gateway.awaitAccessLog(id);
            assertThat(logged.path("duration_ms").asDouble()).as("duration_ms").isLessThan(600);
            assertThat(logged.path("upstream").asText()).isEqualTo(fast.url());
            if (logged.path("attempts").asInt() == 2) {
                hedged++;
                assertThat(elapsed).as("the hedge waited its delay").isGreaterThanOrEqualTo(Duration.ofMillis(100));
                assertThat(fast.received(id)).singleElement()
                        .satisfies(hedge -> assertThat(hedge.header("x-rampart-attempt")).isEqualTo("2"));
            }
        }
        assertThat(hedged).as("requests that went to the slow endpoint first").isPositive();
        int hedges = hedged;
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_upstream_attempts_total",
                "upstream", "hedged", "kind", "hedge", "outcome", "response")).isEqualTo(hedges));
    }

    // ---- fault injection -----------------------------------------------------------------------------------------

    @Test
    void abortFaultHitsOnlyRequestsCarryingTheDrillHeader() {
        ScriptedUpstream steady = endpoint("steady").behave(ok());

        HttpResponse<String> untouched = gateway.get("/chaos-abort/items/1", "x-request-id", "chaos-untouched");
        HttpResponse<String> aborted = gateway.get("/chaos-abort/items/2", "x-request-id", "chaos-aborted",
                "x-chaos", "1");

        assertThat(untouched.statusCode()).isEqualTo(200);
        assertThat(untouched.headers().firstValue("x-rampart-fault")).isEmpty();
        assertError(aborted, 503, "fault_injected");
        assertThat(aborted.headers().firstValue("x-rampart-fault")).hasValue("abort");
        assertThat(steady.received("chaos-aborted")).as("the upstream never saw the aborted request").isEmpty();
        assertThat(gateway.awaitAccessLog("chaos-aborted").path("fault").asText()).isEqualTo("abort");
        assertThat(gateway.awaitAccessLog("chaos-untouched").has("fault")).isFalse();
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_faults_injected_total",
                "route", "chaos-abort", "fault", "abort")).isEqualTo(1));
    }

    @Test
    void delayFaultAddsItsDurationBeforeTheUpstreamAnswers() {
        endpoint("steady").behave(ok());

        long start = System.nanoTime();
        HttpResponse<String> response = gateway.get("/chaos-delay/items/1", "x-request-id", "chaos-delayed");

        assertThat(since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("steady");
        assertThat(response.headers().firstValue("x-rampart-fault")).hasValue("delay");
        assertThat(gateway.awaitAccessLog("chaos-delayed").path("fault").asText()).isEqualTo("delay");
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_faults_injected_total",
                "route", "chaos-delay", "fault", "delay")).isEqualTo(1));
    }

    @Test
    void resetFaultClosesTheConnectionWithoutAnAnswer() {
        ScriptedUpstream steady = endpoint("steady").behave(ok());

        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            String received = connection.send(RawHttp.request("GET", "/chaos-reset/items/1", "Host: gateway.test",
                    "X-Request-Id: chaos-reset")).timeout(Duration.ofSeconds(5)).readUntilClosed();

            assertThat(received).as("bytes before the close").isEmpty();
        }
        assertThat(steady.received("chaos-reset")).isEmpty();
        assertThat(gateway.awaitAccessLog("chaos-reset").path("fault").asText()).isEqualTo("reset");
        awaitMetrics(scrape -> assertThat(scrape.value("rampart_faults_injected_total",
                "route", "chaos-reset", "fault", "reset")).isEqualTo(1));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static ScriptedUpstream endpoint(String name) {
        return endpoints.get(name);
    }

    private static byte[] body() {
        byte[] body = new byte[20_000];
        new Random(4711).nextBytes(body);
        return body;
    }

    /** The requests with this id that reached any of these endpoints. */
    private static List<Received> received(String requestId, String... names) {
        List<Received> all = new ArrayList<>();
        for (String name : names) {
            all.addAll(endpoint(name).received(requestId));
        }
        return all;
    }

    private static HttpResponse<String> post(String path, String requestId, byte[] body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30))
                .header("x-request-id", requestId).header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (idempotencyKey != null) {
            request.header("idempotency-key", idempotencyKey);
        }
        return RampartProcess.send(request.build());
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return RampartProcess.httpClient().sendAsync(HttpRequest.newBuilder(gateway.uri(path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JsonLines.parse(response.body()).path("error").path("code").asText()).isEqualTo(code);
    }

    /** Waits for a JSON log line after {@code mark} with this message about this upstream (and endpoint, if given). */
    private static JsonNode awaitLogLine(int mark, String message, String upstream, String... endpoint) {
        String line = gateway.awaitStdoutSince(mark, text -> JsonLines.tryParse(text)
                .filter(json -> message.equals(json.path("message").asText()))
                .filter(json -> upstream.equals(json.path("upstream").asText()))
                .filter(json -> endpoint.length == 0 || endpoint[0].equals(json.path("endpoint").asText()))
                .isPresent(), Duration.ofSeconds(10));
        return JsonLines.parse(line);
    }

    /** This upstream as {@code GET /api/v1/upstreams} on the admin port describes it. */
    private static JsonNode upstreamReport(String name) {
        HttpResponse<String> response = RampartProcess.send(HttpRequest.newBuilder(gateway.adminUri("/api/v1/upstreams"))
                .timeout(Duration.ofSeconds(10)).GET().build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode upstream : JsonLines.parse(response.body()).path("upstreams")) {
            if (name.equals(upstream.path("name").asText())) {
                return upstream;
            }
        }
        throw new AssertionError("upstream " + name + " is not in " + response.body());
    }

    private static JsonNode endpointReport(String upstream, ScriptedUpstream endpoint) {
        for (JsonNode described : upstreamReport(upstream).path("endpoints")) {
            if (endpoint.url().equals(described.path("endpoint").asText())) {
                return described;
            }
        }
        throw new AssertionError("endpoint " + endpoint.url() + " is not in upstream " + upstream);
    }

    /** Scrapes {@code /metrics} until the assertions hold: counters move right after the response is sent. */
    private static void awaitMetrics(Consumer<MetricsIT.Exposition> assertions) {
        URI metrics = gateway.adminUri("/metrics");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            HttpResponse<String> response = RampartProcess.send(HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(10)).GET().build());
            assertThat(response.statusCode()).as("GET /metrics on the admin port").isEqualTo(200);
            assertions.accept(MetricsIT.Exposition.parse(response.body()));
        });
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
