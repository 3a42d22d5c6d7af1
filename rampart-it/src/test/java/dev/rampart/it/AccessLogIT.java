package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One structured JSON line per request on stdout, with every field, and never a secret (rule 2). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogIT {
    private static final List<String> FIELDS = List.of("timestamp", "level", "service", "route", "method", "path",
            "status", "duration_ms", "upstream", "upstream_status", "bytes_in", "bytes_out", "request_id",
            "client_ip", "error_code");
    private static final String RFC_3339_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})";

    private static final String AUTHORIZATION_SECRET = "secret-authorization-7f1c";
    private static final String PROXY_AUTHORIZATION_SECRET = "secret-proxy-authorization-1e0b";
    private static final String COOKIE_SECRET = "secret-cookie-93ab";
    private static final String SET_COOKIE_SECRET = "secret-set-cookie-c0de";
    private static final String API_KEY_SECRET = "secret-api-key-5d2e";
    private static final String QUERY_SECRET = "secret-query-4a4a";
    private static final List<String> SECRETS = List.of(AUTHORIZATION_SECRET, PROXY_AUTHORIZATION_SECRET,
            COOKIE_SECRET, SET_COOKIE_SECRET, API_KEY_SECRET, QUERY_SECRET);

    private static final Upstreams upstreams = new Upstreams();
    private static String demoUrl;
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        demoUrl = upstreams.demoUrl("pricing");
        String sessionSetter = upstreams.http(request -> request.response()
                .putHeader("set-cookie", "session=" + SET_COOKIE_SECRET + "; HttpOnly; Path=/")
                .putHeader("content-type", "application/json")
                .end("{\"logged_in\":true}"));
        gateway = RampartProcess.gateway("""
                service: access-log-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                access-log:
                  secret-headers: [ X-Api-Key ]
                upstreams:
                  demo: { endpoints: [ "%s" ] }
                  sessions: { endpoints: [ "%s" ] }
                routes:
                  - id: login
                    match: { path: /login }
                    upstream: sessions
                  - id: demo
                    match: { path: /**, methods: [ GET, POST ] }
                    upstream: demo
                """.formatted(demoUrl, sessionSetter))
                .name("AccessLogIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    @Test
    void proxiedRequestWritesExactlyOneLineWithEveryField() {
        RawHttp.Response response = send(RawHttp.request("POST", "/echo/orders?page=2", "Host: gateway.test",
                "X-Request-Id: access-proxied", "Content-Length: 11") + "hello world");
        assertThat(response.status()).isEqualTo(200);

        gateway.awaitAccessLog("access-proxied");
        List<JsonNode> lines = gateway.accessLines("access-proxied");
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(fieldNames(line)).containsAll(FIELDS);
        assertThat(line.path("timestamp").asText()).matches(RFC_3339_MILLIS);
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("service").asText()).isEqualTo("access-log-it");
        assertThat(line.path("route").asText()).isEqualTo("demo");
        assertThat(line.path("method").asText()).isEqualTo("POST");
        assertThat(line.path("path").asText()).isEqualTo("/echo/orders");
        assertThat(line.path("status").isInt()).isTrue();
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("duration_ms").isNumber()).isTrue();
        assertThat(line.path("duration_ms").asDouble()).isPositive();
        assertThat(line.path("upstream").asText()).isEqualTo(demoUrl);
        assertThat(line.path("upstream_status").asInt()).isEqualTo(200);
        assertThat(line.path("bytes_in").asLong()).isEqualTo(11);
        assertThat(line.path("bytes_out").asLong()).isEqualTo(response.body().length);
        assertThat(line.path("request_id").asText()).isEqualTo("access-proxied");
        assertThat(line.path("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.path("error_code").isNull()).isTrue();
    }

    @Test
    void durationCoversTheUpstreamsLatency() {
        send(RawHttp.request("GET", "/prices/1?latency=300ms", "Host: gateway.test", "X-Request-Id: access-slow"));
        assertThat(gateway.awaitAccessLog("access-slow").path("duration_ms").asDouble()).isGreaterThanOrEqualTo(300);
    }

    @Test
    void unmatchedRequestIsLoggedAsAWarningWithItsErrorCodeAndNoUpstream() {
        RawHttp.Response response = send(RawHttp.request("DELETE", "/echo/x?token=1", "Host: gateway.test",
                "X-Request-Id: access-unmatched"));
        assertThat(response.status()).isEqualTo(404);

        JsonNode line = gateway.awaitAccessLog("access-unmatched");
        assertThat(fieldNames(line)).containsAll(FIELDS);
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("status").asInt()).isEqualTo(404);
        assertThat(line.path("method").asText()).isEqualTo("DELETE");
        assertThat(line.path("path").asText()).isEqualTo("/echo/x");
        assertThat(line.path("route").isNull()).isTrue();
        assertThat(line.path("upstream").isNull()).isTrue();
        assertThat(line.path("upstream_status").isNull()).isTrue();
        assertThat(line.path("error_code").asText()).isEqualTo("route_not_found");
    }

    @Test
    void upstreamFailureIsLoggedAsAnErrorWithItsCode() {
        RawHttp.Response response = send(RawHttp.request("GET", "/prices/1?reset=true", "Host: gateway.test",
                "X-Request-Id: access-reset"));
        assertThat(response.status()).isEqualTo(502);

        JsonNode line = gateway.awaitAccessLog("access-reset");
        assertThat(fieldNames(line)).containsAll(FIELDS);
        assertThat(line.path("level").asText()).isEqualTo("ERROR");
        assertThat(line.path("status").asInt()).isEqualTo(502);
        assertThat(line.path("route").asText()).isEqualTo("demo");
        assertThat(line.path("upstream").asText()).isEqualTo(demoUrl);
        assertThat(line.path("upstream_status").isNull()).isTrue();
        assertThat(line.path("error_code").asText()).isEqualTo("upstream_reset");
    }

    @Test
    void requestRefusedByTheListenerIsLoggedWithTheRequestIdItsClientWasGiven() {
        int mark = gateway.stdoutMark();
        RawHttp.Response response = send("GET /echo/refused HTTP/1.1\r\nHost: gateway.test\r\nX-Folded: a\r\n b\r\n\r\n");
        assertThat(response.status()).isEqualTo(400);
        String givenId = response.json().path("error").path("request_id").asText(null);
        assertThat(givenId).as("request_id in the error body: %s", response.bodyText()).isNotBlank();
        assertThat(response.header("x-request-id")).isEqualTo(givenId);

        JsonNode line = JsonLines.parse(gateway.awaitStdoutSince(mark,
                text -> JsonLines.tryParse(text).filter(JsonLines::isAccessLine).isPresent(), Duration.ofSeconds(10)));
        assertThat(fieldNames(line)).containsAll(FIELDS);
        assertThat(line.path("status").asInt()).isEqualTo(400);
        assertThat(line.path("bytes_out").asLong()).isEqualTo(response.body().length);
        assertThat(line.path("request_id").asText()).isEqualTo(givenId);
    }

    @Test
    void secretHeaderValuesAndTheQueryStringNeverReachTheOutput() {
        String[] secretHeaders = {
                "Authorization: Bearer " + AUTHORIZATION_SECRET,
                "Proxy-Authorization: Basic " + PROXY_AUTHORIZATION_SECRET,
                "Cookie: sid=" + COOKIE_SECRET + "; theme=dark",
                "X-Api-Key: " + API_KEY_SECRET};
        List<String> ids = new ArrayList<>();
        for (String target : List.of("/login?token=" + QUERY_SECRET, "/echo/secrets?token=" + QUERY_SECRET,
                "/prices/1?reset=true&token=" + QUERY_SECRET)) {
            String id = "access-secrets-" + ids.size();
            ids.add(id);
            List<String> headers = new ArrayList<>(List.of("Host: gateway.test", "X-Request-Id: " + id));
            headers.addAll(List.of(secretHeaders));
            RawHttp.Response response = send(RawHttp.request("GET", target, headers.toArray(String[]::new)));
            if (target.startsWith("/login")) {
                assertThat(response.header("set-cookie")).contains(SET_COOKIE_SECRET); // the client does get it
            }
        }
        // a request the listener refuses before routing, carrying the same secrets
        int mark = gateway.stdoutMark();
        send("GET /echo/x HTTP/1.1\r\nHost: gateway.test\r\n" + String.join("\r\n", secretHeaders)
                + "\r\nX-Folded: a\r\n b\r\n\r\n");
        ids.forEach(gateway::awaitAccessLog);
        gateway.awaitStdoutSince(mark, line -> line.contains("\"status\":400"), Duration.ofSeconds(10));

        List<String> output = new ArrayList<>(gateway.stdout());
        output.addAll(gateway.stderr());
        for (String secret : SECRETS) {
            assertThat(output).as("output lines containing %s", secret)
                    .noneMatch(line -> line.contains(secret));
        }
    }

    @Test
    void everyStdoutLineIsAJsonObjectAndAppLogsCarryTheCommonFields() {
        send(RawHttp.request("GET", "/prices/7", "Host: gateway.test", "X-Request-Id: access-json-lines"));
        gateway.awaitAccessLog("access-json-lines");

        List<String> stdout = gateway.stdout();
        assertThat(stdout).isNotEmpty();
        for (String line : stdout) {
            Optional<JsonNode> json = JsonLines.tryParse(line);
            assertThat(json).as("stdout line is a JSON object: %s", line).isPresent();
            if (!JsonLines.isAccessLine(json.get())) {
                assertThat(fieldNames(json.get())).as(line)
                        .contains("timestamp", "level", "service", "logger", "message");
                assertThat(json.get().path("timestamp").asText()).matches(RFC_3339_MILLIS);
            }
        }
        assertThat(stdout).anyMatch(line -> line.contains("\"message\":\"rampart is listening\""));
    }

    private static List<String> fieldNames(JsonNode line) {
        List<String> names = new ArrayList<>();
        line.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static RawHttp.Response send(String request) {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            return connection.send(request).readResponse();
        }
    }
}
