package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.EdgeClients;
import dev.rampart.it.support.EdgeUpstream;
import dev.rampart.it.support.EdgeUpstream.Reply;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.rampart.it.support.EdgeClients.ALICE;
import static dev.rampart.it.support.EdgeClients.API_KEY;
import static dev.rampart.it.support.EdgeClients.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Idempotency keys at the edge with the in-process store, proved black-box against an origin that counts what
 * reaches it: the first request with a key goes upstream and its answer is replayed to every repeat; a key reused
 * for another request, a key still in flight, a missing or malformed key are refused; keys belong to their client;
 * a request the upstream never got frees its key, and one whose client (or the gateway's deadline) gave up while the
 * upstream worked on it is completed in the background, so that a retry gets its answer and never a second call.
 *
 * <p>Every test uses keys and paths of its own; the store keeps records for the retention (24 h by default), so no
 * test can see another's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdempotencyIT {
    private static final String QUIET = "circuit-breaker: { enabled: false }, outlier-detection: { enabled: false }";
    private static final String CHARGE = "{\"amount\":4200,\"currency\":\"EUR\"}";
    /** Longer than the gateway waits, on the routes whose deadline is the point. */
    private static final Duration SLOW_ORIGIN = Duration.ofSeconds(1);
    private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(5);

    private static final Upstreams upstreams = new Upstreams();
    private static EdgeUpstream origin;
    private static EdgeUpstream fallible;
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        origin = EdgeUpstream.start(upstreams, "origin");
        fallible = EdgeUpstream.start(upstreams, "fallible");
        String config = """
                service: idempotency-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                metrics: { enabled: true }
                CLIENTS
                upstreams:
                  origin: { endpoints: [ "ORIGIN" ], QUIET }
                  fallible: { endpoints: [ "FALLIBLE" ], QUIET }
                routes:
                  - { id: payments, match: { prefix: /payments/ }, upstream: origin, idempotency: { required: true } }
                  - { id: optional, match: { prefix: /optional/ }, upstream: origin, idempotency: { required: false } }
                  - id: puts
                    match: { prefix: /puts/ }
                    upstream: origin
                    idempotency: { required: true, methods: [ PUT ] }
                  - id: deadline
                    match: { prefix: /deadline/ }
                    upstream: origin
                    timeouts: { total: 300ms }
                    idempotency: { required: true }
                  - id: first-byte
                    match: { prefix: /first-byte/ }
                    upstream: origin
                    timeouts: { first-byte: 300ms, total: 5s }
                    idempotency: { required: true }
                  - { id: refused, match: { prefix: /refused/ }, upstream: fallible, idempotency: { required: true } }
                  - id: small-records
                    match: { prefix: /small-records/ }
                    upstream: origin
                    idempotency: { required: true, max-response-size: 64B }
                  - id: brief
                    match: { prefix: /brief/ }
                    upstream: origin
                    idempotency: { required: true, retention: 1s }
                  - id: locked
                    match: { prefix: /locked/ }
                    upstream: origin
                    timeouts: { total: 300ms }
                    idempotency: { required: true, lock-timeout: 1s }
                  - id: one-at-a-time
                    match: { prefix: /one-at-a-time/ }
                    upstream: origin
                    timeouts: { total: 300ms }
                    max-concurrent-per-client: 1
                    idempotency: { required: true }
                  - { id: metered, match: { prefix: /metered/ }, upstream: origin, idempotency: { required: true } }
                """
                .replace("QUIET", QUIET)
                .replace("CLIENTS\n", EdgeClients.CONFIG)
                .replace("ORIGIN", origin.url())
                .replace("FALLIBLE", fallible.url());
        gateway = RampartProcess.gateway(config).name("IdempotencyIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    // ---- replay --------------------------------------------------------------------------------------------------

    @Test
    void repeatWithTheSameKeyAndBodyIsReplayedWithoutReachingTheUpstream() {
        origin.on("/payments/charge", request -> Reply.status(201, "charge ch_" + request.number())
                .header("x-charge-id", "ch_" + request.number()));

        HttpResponse<String> first = post("/payments/charge", CHARGE, "Idempotency-Key", "replay-1");
        HttpResponse<String> repeat = post("/payments/charge", CHARGE, "Idempotency-Key", "replay-1");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.body()).isEqualTo("charge ch_1");
        assertThat(first.headers().firstValue("idempotent-replayed")).isEmpty();
        assertThat(repeat.statusCode()).isEqualTo(201);
        assertThat(repeat.body()).isEqualTo("charge ch_1");
        assertThat(repeat.headers().firstValue("x-charge-id")).hasValue("ch_1");
        assertThat(repeat.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(origin.requests("/payments/charge")).isEqualTo(1);
        assertThat(origin.received("/payments/charge").get(0).body()).isEqualTo(CHARGE);
    }

    @Test
    void sameKeyWithADifferentBodyIsRefusedAsReused() {
        post("/payments/reused", CHARGE, "Idempotency-Key", "reused-1");

        HttpResponse<String> other = post("/payments/reused", "{\"amount\":1}", "Idempotency-Key", "reused-1");

        AdmissionIT.assertError(other, 422, "idempotency_key_reused");
        assertThat(origin.requests("/payments/reused")).isEqualTo(1);
    }

    @Test
    void sameKeyWhileTheFirstRequestIsInFlightGets409WithRetryAfter() {
        origin.on("/payments/slow", Reply.ok("slow charge").after(SLOW_ORIGIN));
        CompletableFuture<HttpResponse<String>> first = postAsync("/payments/slow", CHARGE,
                "Idempotency-Key", "in-flight-1");
        await().atMost(ANSWERED_WITHIN).until(() -> origin.requests("/payments/slow") == 1);

        HttpResponse<String> meanwhile = post("/payments/slow", CHARGE, "Idempotency-Key", "in-flight-1");
        HttpResponse<String> firstAnswer = first.join();
        HttpResponse<String> after = post("/payments/slow", CHARGE, "Idempotency-Key", "in-flight-1");

        AdmissionIT.assertError(meanwhile, 409, "idempotency_key_in_use");
        assertThat(meanwhile.headers().firstValue("retry-after")).isPresent();
        assertThat(firstAnswer.statusCode()).isEqualTo(200);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("slow charge");
        assertThat(after.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(origin.requests("/payments/slow")).isEqualTo(1);
    }

    @Test
    void upstream500IsStoredMaskedAndReplayedWithTheSameStatusAndBody() {
        origin.on("/payments/fails", Reply.status(500, "NullPointerException at PaymentService.java:42"));

        HttpResponse<String> first = post("/payments/fails", CHARGE, "Idempotency-Key", "fails-1");
        HttpResponse<String> repeat = post("/payments/fails", CHARGE, "Idempotency-Key", "fails-1");

        AdmissionIT.assertError(first, 500, "upstream_error");
        assertThat(first.body()).doesNotContain("NullPointerException");
        assertThat(repeat.statusCode()).isEqualTo(500);
        assertThat(repeat.body()).isEqualTo(first.body());
        assertThat(repeat.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(origin.requests("/payments/fails")).isEqualTo(1);
    }

    @Test
    void answerLargerThanMaxResponseSizeIsSentButARepeatGets409() {
        String big = "r".repeat(100);
        origin.on("/small-records/report", Reply.ok(big));

        HttpResponse<String> first = post("/small-records/report", CHARGE, "Idempotency-Key", "big-1");
        HttpResponse<String> repeat = post("/small-records/report", CHARGE, "Idempotency-Key", "big-1");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo(big);
        AdmissionIT.assertError(repeat, 409, "idempotency_response_unavailable");
        assertThat(origin.requests("/small-records/report")).isEqualTo(1);
    }

    @Test
    void afterTheRetentionTheKeyIsFreeAgain() {
        HttpResponse<String> first = post("/brief/charge", CHARGE, "Idempotency-Key", "brief-1");

        HttpResponse<String> later = await().atMost(ANSWERED_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> post("/brief/charge", CHARGE, "Idempotency-Key", "brief-1"),
                        response -> response.headers().firstValue("idempotent-replayed").isEmpty());

        assertThat(first.body()).isEqualTo("origin /brief/charge #1");
        assertThat(later.body()).isEqualTo("origin /brief/charge #2");
        assertThat(origin.requests("/brief/charge")).isEqualTo(2);
    }

    // ---- refusals ------------------------------------------------------------------------------------------------

    @Test
    void missingKeyIsRefusedWhereRequiredAndPassesWhereOptional() {
        HttpResponse<String> required = post("/payments/no-key", CHARGE);
        HttpResponse<String> optional = post("/optional/no-key", CHARGE);
        HttpResponse<String> optionalAgain = post("/optional/no-key", CHARGE);

        AdmissionIT.assertError(required, 400, "idempotency_key_missing");
        assertThat(origin.requests("/payments/no-key")).isZero();
        assertThat(optional.statusCode()).isEqualTo(200);
        assertThat(optionalAgain.headers().firstValue("idempotent-replayed")).isEmpty();
        assertThat(origin.requests("/optional/no-key")).isEqualTo(2);
    }

    @Test
    void overlongKeyIsRefusedAsInvalid() {
        HttpResponse<String> response = post("/payments/long-key", CHARGE, "Idempotency-Key", "k".repeat(300));

        AdmissionIT.assertError(response, 400, "idempotency_key_invalid");
        assertThat(origin.requests("/payments/long-key")).isZero();
    }

    @Test
    void methodsTheRouteDoesNotNamePassWithoutAKey() {
        HttpResponse<String> unlisted = post("/puts/item", CHARGE);
        HttpResponse<String> listed = send(HttpRequest.newBuilder(gateway.uri("/puts/item"))
                .PUT(HttpRequest.BodyPublishers.ofString(CHARGE)));

        assertThat(unlisted.statusCode()).isEqualTo(200);
        AdmissionIT.assertError(listed, 400, "idempotency_key_missing");
        assertThat(origin.received("/puts/item")).extracting(EdgeUpstream.Request::method).containsExactly("POST");
    }

    @Test
    void twoClientsMayUseTheSameKeyIndependently() {
        HttpResponse<String> alice = post("/payments/shared-key", CHARGE, "Idempotency-Key", "shared-1",
                API_KEY, ALICE);
        HttpResponse<String> bob = post("/payments/shared-key", CHARGE, "Idempotency-Key", "shared-1",
                API_KEY, BOB);
        HttpResponse<String> aliceAgain = post("/payments/shared-key", CHARGE, "Idempotency-Key", "shared-1",
                API_KEY, ALICE);

        assertThat(alice.statusCode()).isEqualTo(200);
        assertThat(bob.statusCode()).isEqualTo(200);
        assertThat(bob.headers().firstValue("idempotent-replayed")).as("bob never sees alice's answer").isEmpty();
        assertThat(bob.body()).isNotEqualTo(alice.body());
        assertThat(aliceAgain.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
        assertThat(origin.requests("/payments/shared-key")).isEqualTo(2);
    }

    // ---- requests that never got, or never delivered, an answer ------------------------------------------------

    @Test
    void connectionRefusedGets502AndReleasesTheKeyForTheRetry() {
        fallible.stop();
        HttpResponse<String> refused;
        try {
            refused = post("/refused/charge", CHARGE, "Idempotency-Key", "refused-1");
        } finally {
            fallible.restart();
        }
        HttpResponse<String> retry = post("/refused/charge", CHARGE, "Idempotency-Key", "refused-1");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("idempotent-replayed")).isEmpty();
        assertThat(retry.body()).isEqualTo("fallible /refused/charge #1");
        assertThat(fallible.requests("/refused/charge")).isEqualTo(1);
    }

    @Test
    void clientThatGivesUpLeavesTheUpstreamCallRunningAndARetryGetsItsAnswer() {
        origin.on("/payments/abandoned", Reply.status(201, "charged once").after(SLOW_ORIGIN));
        byte[] body = CHARGE.getBytes(StandardCharsets.UTF_8);
        try (RawHttp client = RawHttp.connect(gateway.port())) {
            client.send(RawHttp.request("POST", "/payments/abandoned", "Host: 127.0.0.1",
                    "Content-Type: application/json", "Content-Length: " + body.length,
                    "Idempotency-Key: abandoned-1"));
            client.send(body);
            await().atMost(ANSWERED_WITHIN).until(() -> origin.requests("/payments/abandoned") == 1);
        } // the client gives up while the upstream works

        assertRetriedThroughTheSlowCall("/payments/abandoned", "abandoned-1", 201, "charged once");
    }

    @Test
    void totalTimeoutShorterThanTheUpstreamStillRecordsTheUpstreamsAnswer() {
        origin.on("/deadline/charge", Reply.status(201, "charged in time").after(SLOW_ORIGIN));

        HttpResponse<String> timedOut = post("/deadline/charge", CHARGE, "Idempotency-Key", "deadline-1");

        AdmissionIT.assertError(timedOut, 504, "upstream_timeout");
        assertRetriedThroughTheSlowCall("/deadline/charge", "deadline-1", 201, "charged in time");
    }

    @Test
    void firstByteTimeoutShorterThanTheUpstreamStillRecordsTheUpstreamsAnswer() {
        origin.on("/first-byte/charge", Reply.status(201, "charged late").after(SLOW_ORIGIN));

        HttpResponse<String> timedOut = post("/first-byte/charge", CHARGE, "Idempotency-Key", "first-byte-1");

        AdmissionIT.assertError(timedOut, 504, "upstream_timeout");
        assertRetriedThroughTheSlowCall("/first-byte/charge", "first-byte-1", 201, "charged late");
    }

    @Test
    void requestLeftRunningDetachedIsLoggedAndFreesItsClientsConcurrencySlot() {
        origin.on("/one-at-a-time/slow", Reply.ok("slow but done").after(SLOW_ORIGIN));

        HttpResponse<String> timedOut = post("/one-at-a-time/slow", CHARGE, "Idempotency-Key", "slot-1",
                API_KEY, ALICE);
        HttpResponse<String> next = post("/one-at-a-time/fast", CHARGE, "Idempotency-Key", "slot-2",
                API_KEY, ALICE);

        AdmissionIT.assertError(timedOut, 504, "upstream_timeout");
        assertThat(next.statusCode()).as("the client's one slot is free once its request was answered: " + next.body())
                .isEqualTo(200);
        JsonNode logged = gateway.awaitAccessLog(timedOut.headers().firstValue("x-request-id").orElseThrow());
        assertThat(logged.path("status").asInt()).isEqualTo(504);
        assertThat(logged.path("error_code").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void keyOfARequestThatNeverGetsAnAnswerIsFreedAfterTheLockTimeout() {
        origin.on("/locked/charge", request -> request.number() == 1 ? Reply.never() : Reply.ok("charged at last"));

        HttpResponse<String> timedOut = post("/locked/charge", CHARGE, "Idempotency-Key", "locked-1");
        HttpResponse<String> meanwhile = post("/locked/charge", CHARGE, "Idempotency-Key", "locked-1");
        HttpResponse<String> freed = await().atMost(ANSWERED_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> post("/locked/charge", CHARGE, "Idempotency-Key", "locked-1"),
                        response -> response.statusCode() != 409);

        AdmissionIT.assertError(timedOut, 504, "upstream_timeout");
        AdmissionIT.assertError(meanwhile, 409, "idempotency_key_in_use");
        assertThat(freed.statusCode()).isEqualTo(200);
        assertThat(freed.body()).isEqualTo("charged at last");
        assertThat(origin.requests("/locked/charge")).isEqualTo(2);
    }

    // ---- metrics -------------------------------------------------------------------------------------------------

    @Test
    void outcomesAreCountedPerRoute() {
        post("/metered/charge", CHARGE, "Idempotency-Key", "metered-1");
        post("/metered/charge", CHARGE, "Idempotency-Key", "metered-1");
        post("/metered/charge", "{\"amount\":1}", "Idempotency-Key", "metered-1");
        post("/metered/charge", CHARGE);

        AdmissionIT.awaitMetrics(gateway, scrape -> {
            for (String outcome : new String[]{"stored", "replayed", "reused", "missing"}) {
                assertThat(scrape.value("rampart_idempotency_requests_total", "route", "metered",
                        "outcome", outcome)).as(outcome).isEqualTo(1);
            }
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /**
     * While the upstream still works on the first request of {@code key}, a retry gets 409; once it answered, a retry
     * gets that answer replayed; the upstream saw the request once.
     */
    private static void assertRetriedThroughTheSlowCall(String path, String key, int status, String body) {
        HttpResponse<String> during = post(path, CHARGE, "Idempotency-Key", key);
        AdmissionIT.assertError(during, 409, "idempotency_key_in_use");

        HttpResponse<String> replayed = await().atMost(ANSWERED_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> post(path, CHARGE, "Idempotency-Key", key), response -> response.statusCode() != 409);

        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(status);
        assertThat(replayed.body()).isEqualTo(body);
        assertThat(replayed.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(origin.requests(path)).isEqualTo(1);
    }

    /** A POST with this body; {@code headers} are name, value pairs. */
    private static HttpResponse<String> post(String path, String body, String... headers) {
        return send(postRequest(path, body, headers));
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(String path, String body, String... headers) {
        return RampartProcess.httpClient().sendAsync(postRequest(path, body, headers).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder postRequest(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        return RampartProcess.send(request.timeout(Duration.ofSeconds(30)).build());
    }
}
