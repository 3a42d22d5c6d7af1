package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.otlp.ExportedSpan;
import dev.rampart.it.otlp.OtlpTraceReceiver;
import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.Upstreams;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rampart.it.otlp.ExportedSpan.Kind.CLIENT;
import static dev.rampart.it.otlp.ExportedSpan.Kind.SERVER;
import static dev.rampart.it.otlp.ExportedSpan.Status.ERROR;
import static dev.rampart.it.otlp.ExportedSpan.Status.UNSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * What a tracing backend receives from the gateway (issue 3): W3C trace context accepted and passed on, one server
 * span per request and one client span per upstream attempt with the HTTP semantic-convention attributes, failures
 * recorded with their error code; a collector that is down or hangs never touches a request, and its failure is
 * logged the way every other event is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TracingIT {
    private static final String SAMPLING_SERVICE = "tracing-it";
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Upstreams upstreams = new Upstreams();
    private static int demoPort;
    private static OtlpTraceReceiver collector;
    /** Records every new trace (sample-ratio 100%). */
    private static RampartProcess sampling;
    /** Records no new trace (sample-ratio 0%): only what a sampled incoming parent asks for. */
    private static RampartProcess parentBased;

    @BeforeAll
    static void start() {
        demoPort = upstreams.demo().port("pricing");
        collector = OtlpTraceReceiver.start(upstreams.vertx());
        sampling = gateway(SAMPLING_SERVICE, collector.endpoint(), "100%", 2048);
        parentBased = gateway("tracing-it-parent-based", collector.endpoint(), "0%", 2048);
    }

    @AfterAll
    static void stop() {
        for (RampartProcess gateway : new RampartProcess[] {sampling, parentBased}) {
            if (gateway != null) {
                gateway.close();
            }
        }
        upstreams.close();
    }

    /** A gateway exporting to {@code endpoint}: {@code /echo/**} to a demo service, {@code /refused/**} to none. */
    private static RampartProcess gateway(String service, String endpoint, String sampleRatio, int maxQueueSize) {
        return RampartProcess.gateway("""
                service: %s
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                tracing: { endpoint: "%s", sample-ratio: %s, export-timeout: 2s, max-queue-size: %d, export-interval: 200ms }
                upstreams:
                  demo: { endpoints: [ "http://127.0.0.1:%d" ] }
                  refusing: { endpoints: [ "http://127.0.0.1:%d" ] }
                routes:
                  - id: demo
                    match: { path: /echo/** }
                    upstream: demo
                  - id: refused
                    match: { path: /refused/** }
                    upstream: refusing
                """.formatted(service, endpoint, sampleRatio, maxQueueSize, demoPort, FreePorts.closed()))
                .name("TracingIT").start();
    }

    // ---- trace context in and out --------------------------------------------------------------------------------

    @Test
    void sampledIncomingParentIsContinuedEvenWhenNewTracesAreNotSampled() {
        String traceId = randomHex(16);
        String callerSpanId = randomHex(8);
        JsonNode atUpstream = echo(parentBased, "/echo/with-parent",
                "traceparent", traceparent(traceId, callerSpanId, true), "tracestate", "caller=7f3a",
                "x-request-id", "tracing-with-parent");

        List<ExportedSpan> trace = collector.awaitTrace(traceId, 2);
        assertThat(trace).hasSize(2);
        ExportedSpan server = only(trace, SERVER);
        ExportedSpan client = only(trace, CLIENT);
        assertThat(server.parentSpanId()).as("server span's parent: the caller's span").isEqualTo(callerSpanId);
        assertThat(client.isChildOf(server)).as("%s is a child of %s", client, server).isTrue();
        Traceparent passedOn = Traceparent.of(atUpstream);
        assertThat(passedOn.traceId()).isEqualTo(traceId);
        assertThat(passedOn.parentId()).as("parent-id at the upstream: the client span").isEqualTo(client.spanId());
        assertThat(passedOn.sampled()).isTrue();
        assertThat(atUpstream.path("tracestate").asText()).isEqualTo("caller=7f3a");

        JsonNode accessLine = parentBased.awaitAccessLog("tracing-with-parent");
        assertThat(accessLine.path("trace_id").asText()).isEqualTo(traceId);
        assertThat(accessLine.path("span_id").asText()).isEqualTo(server.spanId());
    }

    @Test
    void unsampledOrMissingParentIsPassedOnButNotExportedWhenNewTracesAreNotSampled() {
        String unsampledTraceId = randomHex(16);
        String callerSpanId = randomHex(8);
        Traceparent unsampled = Traceparent.of(echo(parentBased, "/echo/unsampled-parent",
                "traceparent", traceparent(unsampledTraceId, callerSpanId, false)));
        assertThat(unsampled.traceId()).isEqualTo(unsampledTraceId);
        assertThat(unsampled.parentId()).as("the gateway's own span id").isNotEqualTo(callerSpanId);
        assertThat(unsampled.sampled()).isFalse();

        Traceparent fresh = Traceparent.of(echo(parentBased, "/echo/no-parent"));
        assertThat(fresh.sampled()).isFalse();

        // spans are exported in the order they end, from one queue: once a later sampled trace has arrived, any
        // span of the two requests before it would have arrived too
        String laterTraceId = randomHex(16);
        echo(parentBased, "/echo/later", "traceparent", traceparent(laterTraceId, randomHex(8), true));
        collector.awaitTrace(laterTraceId, 2);
        assertThat(collector.spansOf(unsampledTraceId)).isEmpty();
        assertThat(collector.spansOf(fresh.traceId())).isEmpty();
    }

    @Test
    void requestWithoutParentStartsATraceOfAServerSpanAndItsClientSpanWithHttpAttributes() {
        JsonNode atUpstream = echo(sampling, "/echo/new-trace", "x-request-id", "tracing-new-trace");
        Traceparent passedOn = Traceparent.of(atUpstream);
        assertThat(passedOn.sampled()).isTrue();

        List<ExportedSpan> trace = collector.awaitTrace(passedOn.traceId(), 2);
        assertThat(trace).hasSize(2);
        ExportedSpan server = only(trace, SERVER);
        ExportedSpan client = only(trace, CLIENT);
        assertThat(server.isRoot()).as("%s is a root", server).isTrue();
        assertThat(client.isChildOf(server)).as("%s is a child of %s", client, server).isTrue();
        assertThat(passedOn.parentId()).as("parent-id at the upstream: the client span").isEqualTo(client.spanId());

        assertThat(server.name()).isEqualTo("GET /echo/**");
        assertThat(server.status()).isEqualTo(UNSET);
        assertThat(server.attributes()).contains(
                entry("http.request.method", "GET"),
                entry("http.response.status_code", 200L),
                entry("http.route", "/echo/**"),
                entry("url.path", "/echo/new-trace"),
                entry("url.scheme", "http"),
                entry("network.protocol.version", "1.1"),
                entry("client.address", "127.0.0.1"),
                entry("rampart.route", "demo"),
                entry("rampart.request_id", "tracing-new-trace"))
                .doesNotContainKey("error.type");

        assertThat(client.name()).isEqualTo("GET");
        assertThat(client.status()).isEqualTo(UNSET);
        assertThat(client.attributes()).contains(
                entry("http.request.method", "GET"),
                entry("http.response.status_code", 200L),
                entry("server.address", "127.0.0.1"),
                entry("server.port", (long) demoPort),
                entry("url.full", "http://127.0.0.1:" + demoPort + "/echo/new-trace"),
                entry("rampart.upstream.attempt", 1L))
                .doesNotContainKey("error.type");

        // the upstream call happens within the request
        assertThat(client.startEpochNanos()).isBetween(server.startEpochNanos(), server.endEpochNanos());
        assertThat(client.endEpochNanos()).isBetween(client.startEpochNanos(), server.endEpochNanos());
        assertThat(trace).allSatisfy(span -> {
            assertThat(span.resource()).containsEntry("service.name", SAMPLING_SERVICE);
            assertThat(span.scopeName()).isEqualTo("dev.rampart.gateway");
        });
        assertThat(sampling.awaitAccessLog("tracing-new-trace").path("trace_id").asText())
                .isEqualTo(passedOn.traceId());
    }

    // ---- failures on spans ---------------------------------------------------------------------------------------

    @Test
    void maskedUpstream5xxIsRecordedAsAnErrorOnBothSpansWithItsErrorCode() {
        HttpResponse<String> response = sampling.get("/echo/failing?status=503");
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode error = JsonLines.parse(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_error");
        String traceId = error.path("trace_id").asText();
        assertThat(traceId).as("trace_id in the error body").matches("[0-9a-f]{32}");

        // a 503 is retried once by default: each attempt is a client span, siblings under the server span
        List<ExportedSpan> trace = collector.awaitTrace(traceId, 3);
        assertThat(trace).hasSize(3);
        ExportedSpan server = only(trace, SERVER);
        List<ExportedSpan> attempts = clientSpansByAttempt(trace, server);
        assertThat(server.status()).isEqualTo(ERROR);
        assertThat(server.attributes()).contains(
                entry("error.type", "upstream_error"),
                entry("http.response.status_code", 503L));
        assertThat(attempts.get(0).status()).isEqualTo(ERROR);
        assertThat(attempts.get(0).attributes()).contains(
                entry("error.type", "503"),
                entry("http.response.status_code", 503L));
        assertThat(attempts.get(1).status()).isEqualTo(ERROR);
        assertThat(attempts.get(1).attributes()).contains(
                entry("error.type", "upstream_error"),
                entry("http.response.status_code", 503L),
                entry("http.request.resend_count", 1L));
    }

    @Test
    void unreachableUpstreamIsRecordedAsAnErrorOnTheClientSpanAndTheErrorBodyCarriesTheTraceId() {
        HttpResponse<String> response = sampling.get("/refused/x");
        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode error = JsonLines.parse(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_unavailable");
        String traceId = error.path("trace_id").asText();
        assertThat(traceId).as("trace_id in the error body").matches("[0-9a-f]{32}");

        List<ExportedSpan> trace = collector.awaitTrace(traceId, 3);
        assertThat(trace).hasSize(3);
        ExportedSpan server = only(trace, SERVER);
        List<ExportedSpan> attempts = clientSpansByAttempt(trace, server);
        for (ExportedSpan client : attempts) {
            assertThat(client.status()).isEqualTo(ERROR);
            assertThat(client.attributes()).contains(entry("error.type", "upstream_unavailable"))
                    .doesNotContainKey("http.response.status_code");
        }
        assertThat(server.status()).isEqualTo(ERROR);
        assertThat(server.attributes()).contains(
                entry("error.type", "upstream_unavailable"),
                entry("http.response.status_code", 502L),
                entry("http.route", "/refused/**"));
    }

    /** The client spans of a trace, each a child of the server span, ordered by their attempt number 1, 2, … */
    private static List<ExportedSpan> clientSpansByAttempt(List<ExportedSpan> trace, ExportedSpan server) {
        List<ExportedSpan> clients = trace.stream().filter(span -> span.kind() == CLIENT)
                .sorted(java.util.Comparator.comparingLong(span -> (Long) span.attributes().get("rampart.upstream.attempt")))
                .toList();
        for (int i = 0; i < clients.size(); i++) {
            assertThat(clients.get(i).isChildOf(server)).as("%s is a child of %s", clients.get(i), server).isTrue();
            assertThat(clients.get(i).attributes()).contains(entry("rampart.upstream.attempt", (long) i + 1));
        }
        return clients;
    }

    // ---- a collector that fails ----------------------------------------------------------------------------------

    @Test
    void collectorThatIsDownNeitherSlowsNorFailsRequests() {
        String nowhere = "http://127.0.0.1:" + FreePorts.closed() + OtlpTraceReceiver.TRACES_PATH;
        try (RampartProcess gateway = gateway("tracing-it-collector-down", nowhere, "100%", 2048)) {
            assertRequestsStayFast(gateway);
        }
    }

    @Test
    void collectorThatNeverAnswersNeitherSlowsNorFailsRequests() {
        AtomicInteger exportConnections = new AtomicInteger();
        // accepts the exporter's connection, reads nothing, never answers
        String silent = upstreams.tcp(socket -> exportConnections.incrementAndGet()) + OtlpTraceReceiver.TRACES_PATH;
        // a small queue, so that it also fills up while exports hang
        try (RampartProcess gateway = gateway("tracing-it-collector-hangs", silent, "100%", 16)) {
            assertThat(gateway.get("/echo/first").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> exportConnections.get() > 0);
            assertRequestsStayFast(gateway);
        }
    }

    @Test
    void collectorFailureIsLoggedAsAJsonLineOnStdoutNotAsAStackTraceOnStderr() {
        String nowhere = "http://127.0.0.1:" + FreePorts.closed() + OtlpTraceReceiver.TRACES_PATH;
        try (RampartProcess gateway = gateway("tracing-it-collector-down-logged", nowhere, "100%", 2048)) {
            echo(gateway, "/echo/exported-to-nowhere");
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> exportFailureLogged(gateway));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no JSON log line (WARN or ERROR) about the failed span export on stdout "
                        + "within 10 s\n" + gateway.outputForDiagnosis(), e);
            }
            assertThat(gateway.stderr()).as("stderr of the gateway").isEmpty();
        }
    }

    private static boolean exportFailureLogged(RampartProcess gateway) {
        return gateway.stdout().stream()
                .map(JsonLines::tryParse).flatMap(Optional::stream)
                .filter(line -> !JsonLines.isAccessLine(line))
                .filter(line -> Set.of("WARN", "ERROR").contains(line.path("level").asText()))
                .anyMatch(line -> line.path("message").asText().toLowerCase(Locale.ROOT).contains("export"));
    }

    /**
     * Sequential requests for long enough that several export rounds (every 200 ms in these tests, each bounded by the 2 s export
     * timeout) fail while they run, and at least 50: every one must succeed in well under a second.
     */
    private static void assertRequestsStayFast(RampartProcess gateway) {
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        int sent = 0;
        while (sent < 50 || System.nanoTime() < until) {
            long start = System.nanoTime();
            HttpResponse<String> response = gateway.get("/echo/while-the-collector-fails");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(response.statusCode()).as("status of request %d", sent).isEqualTo(200);
            assertThat(took).as("duration of request %d", sent).isLessThan(Duration.ofSeconds(1));
            sent++;
        }
        assertThat(gateway.isAlive()).isTrue();
        assertThat(gateway.readyz()).hasValueSatisfying(ready -> assertThat(ready.statusCode()).isEqualTo(200));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** GETs an {@code /echo} path through the gateway and returns the request headers the upstream received. */
    private static JsonNode echo(RampartProcess gateway, String path, String... headers) {
        HttpResponse<String> response = gateway.get(path, headers);
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
        return JsonLines.parse(response.body()).path("headers");
    }

    private static ExportedSpan only(List<ExportedSpan> trace, ExportedSpan.Kind kind) {
        List<ExportedSpan> ofKind = trace.stream().filter(span -> span.kind() == kind).toList();
        assertThat(ofKind).as("%s spans in %s", kind, trace).hasSize(1);
        return ofKind.get(0);
    }

    private static String traceparent(String traceId, String parentId, boolean sampled) {
        return "00-" + traceId + "-" + parentId + (sampled ? "-01" : "-00");
    }

    /** Random non-zero id bytes in hex (an all-zero trace or span id is invalid). */
    private static String randomHex(int bytes) {
        byte[] id = new byte[bytes];
        RANDOM.nextBytes(id);
        id[0] |= 1;
        return HexFormat.of().formatHex(id);
    }

    /** A W3C {@code traceparent} header as the upstream received it. */
    private record Traceparent(String traceId, String parentId, int flags) {
        static Traceparent of(JsonNode headersAtUpstream) {
            String header = headersAtUpstream.path("traceparent").asText();
            Matcher matcher = TRACEPARENT.matcher(header);
            assertThat(matcher.matches()).as("traceparent at the upstream: '%s'", header).isTrue();
            return new Traceparent(matcher.group(1), matcher.group(2), Integer.parseInt(matcher.group(3), 16));
        }

        /** The sampled bit; others (Trace Context level 2's "random") may be set too. */
        boolean sampled() {
            return (flags & 0x01) != 0;
        }
    }
}
