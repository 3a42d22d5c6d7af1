package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dirty input on the raw socket is refused with a clean JSON error before anything reaches an upstream, framing
 * errors (request smuggling material) close the connection, and the gateway keeps serving everyone else.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HardeningIT {
    /** What an internal detail looks like in a body: a Java exception, a stack frame, a package name. */
    private static final Pattern INTERNALS = Pattern.compile(
            "(?i)exception|\\bat [a-z]+\\.|\\bjava\\.|io\\.netty|io\\.vertx|dev\\.rampart|\\.java:");

    private static final Upstreams upstreams = new Upstreams();
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        gateway = RampartProcess.gateway("""
                service: hardening-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  demo: { endpoints: [ "%s" ] }
                routes:
                  - id: limited
                    match: { prefix: /limited/ }
                    upstream: demo
                    strip-prefix: /limited
                    max-body-size: 1KiB
                  - id: demo
                    upstream: demo
                """.formatted(upstreams.demoUrl("pricing")))
                .name("HardeningIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    @AfterEach
    void gatewayStillServesANormalRequestOnANewConnection() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection
                    .send(RawHttp.request("GET", "/echo/after", "Host: gateway.test")).readResponse();
            assertThat(response.status()).as("%s", response).isEqualTo(200);
        }
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void headersLargerThan16KibGet431() {
        RawHttp.Response response = send(RawHttp.request("GET", "/echo/x", "Host: gateway.test",
                "X-Big: " + "a".repeat(17 * 1024)));
        assertRejected(response, 431, "headers_too_large");
    }

    @Test
    void declaredContentLengthOverTheRouteLimitGets413BeforeTheBodyIsSent() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(RawHttp.request("POST", "/limited/echo/x",
                    "Host: gateway.test", "Content-Length: 2048")).readResponse();
            assertRejected(response, 413, "body_too_large");
            assertClosed(connection);
        }
    }

    @Test
    void chunkedBodyGrowingOverTheRouteLimitGets413() {
        StringBuilder request = new StringBuilder(RawHttp.request("POST", "/limited/echo/x", "Host: gateway.test",
                "Transfer-Encoding: chunked"));
        for (int i = 0; i < 4; i++) {
            request.append("200\r\n").append("b".repeat(512)).append("\r\n");
        }
        request.append("0\r\n\r\n");
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(request.toString()).readResponse();
            assertRejected(response, 413, "body_too_large");
            assertClosed(connection);
        }
    }

    @Test
    void bodyAtTheRouteLimitIsAccepted() {
        RawHttp.Response response = send(RawHttp.request("POST", "/limited/echo/x", "Host: gateway.test",
                "Content-Length: 1024") + "c".repeat(1024));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("body_bytes").asLong()).isEqualTo(1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE",
            "GET /echo/x",
            "GET /echo/x HTTP/1.1 trailing-garbage",
            "GET /echo/x FTP/1.1",
            "GET /echo/x HTTP/1.1x",
    })
    void malformedRequestLineGets400(String requestLine) {
        RawHttp.Response response = send(requestLine + "\r\nHost: gateway.test\r\n\r\n");
        assertRejected(response, 400, "bad_request");
    }

    @Test
    void unknownHttpVersionGetsAJsonErrorInAnHttp1StatusLine() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            String answer = connection.send("GET /echo/x HTTP/2.7\r\nHost: gateway.test\r\n\r\n").readUntilClosed();
            assertThat(answer).as("status line").matches("(?s)HTTP/1\\.[01] (400|505) .*");
            assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4)).contains("\"error\"");
        }
    }

    @Test
    void contentLengthTogetherWithTransferEncodingGets400AndTheConnectionIsClosed() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(RawHttp.request("POST", "/echo/x", "Host: gateway.test",
                    "Content-Length: 5", "Transfer-Encoding: chunked") + "0\r\n\r\n").readResponse();
            assertRejected(response, 400, "ambiguous_message_length");
            assertClosed(connection);
        }
    }

    @Test
    void twoDifferentContentLengthsGet400AndTheConnectionIsClosed() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(RawHttp.request("POST", "/echo/x", "Host: gateway.test",
                    "Content-Length: 5", "Content-Length: 7") + "hello!!").readResponse();
            assertThat(response.status()).isEqualTo(400);
            assertClosed(connection);
            assertRejected(response, 400, "ambiguous_message_length");
        }
    }

    @Test
    void twoTransferEncodingsGet400AndTheConnectionIsClosed() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(RawHttp.request("POST", "/echo/x", "Host: gateway.test",
                    "Transfer-Encoding: chunked", "Transfer-Encoding: chunked") + "0\r\n\r\n").readResponse();
            assertRejected(response, 400, "ambiguous_message_length");
            assertClosed(connection);
        }
    }

    @Test
    void transferEncodingOtherThanChunkedGets501() {
        RawHttp.Response response = send(RawHttp.request("POST", "/echo/x", "Host: gateway.test",
                "Transfer-Encoding: gzip") + "0\r\n\r\n");
        assertRejected(response, 501, "not_implemented");
    }

    @Test
    void requestLineOver8KibGets414() {
        RawHttp.Response response = send(RawHttp.request("GET", "/echo/" + "x".repeat(9 * 1024), "Host: gateway.test"));
        assertRejected(response, 414, "uri_too_long");
    }

    @Test
    void connectMethodGets405() {
        RawHttp.Response response = send(RawHttp.request("CONNECT", "internal.example:443",
                "Host: internal.example:443"));
        assertRejected(response, 405, "method_not_allowed");
    }

    @Test
    void invalidChunkSizeGets400AndTheConnectionIsClosed() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(RawHttp.request("POST", "/echo/x", "Host: gateway.test",
                    "Transfer-Encoding: chunked") + "zz\r\nhello\r\n0\r\n\r\n").readResponse();
            assertRejected(response, 400, "bad_chunk");
            assertClosed(connection);
        }
    }

    @Test
    void obsoleteLineFoldingInAHeaderGets400() {
        RawHttp.Response response = send("GET /echo/x HTTP/1.1\r\nHost: gateway.test\r\nX-Folded: first\r\n"
                + " continued\r\n\r\n");
        assertRejected(response, 400, "bad_request");
    }

    @Test
    void http11RequestWithoutHostGets400() {
        RawHttp.Response response = send("GET /echo/x HTTP/1.1\r\nAccept: */*\r\n\r\n");
        assertRejected(response, 400, "missing_host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/echo/../../etc/passwd", "/%2e%2e/etc/passwd", "/echo/%2E%2e/%2e./x"})
    void pathClimbingAboveTheRootGets400(String target) {
        RawHttp.Response response = send(RawHttp.request("GET", target, "Host: gateway.test"));
        assertRejected(response, 400, "bad_path");
    }

    @Test
    void dotSegmentsInsideTheRootAreResolvedBeforeRouting() {
        RawHttp.Response response = send(RawHttp.request("GET", "/limited/../echo/./a//b", "Host: gateway.test"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("path").asText()).isEqualTo("/echo/a/b");
    }

    private static RawHttp.Response send(String request) {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            return connection.send(request).readResponse();
        }
    }

    /** The rejection has this status, the JSON error shape with this code (any code if null), and no internals. */
    private static void assertRejected(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as("%s", response).isEqualTo(status);
        assertThat(response.header("content-type")).startsWith("application/json");
        assertThat(response.bodyText()).doesNotContainPattern(INTERNALS);
        JsonNode error = JsonLines.parse(response.bodyText()).path("error");
        assertThat(error.path("code").asText()).as("%s", response).isNotBlank();
        assertThat(error.path("message").asText()).isNotBlank();
        if (code != null) {
            assertThat(error.path("code").asText()).isEqualTo(code);
        }
    }

    private static void assertClosed(RawHttp connection) {
        assertThat(connection.timeout(Duration.ofSeconds(3)).awaitClosedByPeer())
                .as("connection closed after a framing error").isTrue();
    }
}
