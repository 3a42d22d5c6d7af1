package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every wait has an end (rule 3): upstreams that never answer, answer too slowly, stall mid-body, refuse, blackhole
 * or reset; and clients that send their headers slowly or idle on a keep-alive connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeoutsIT {
    private static final Duration FIRST_BYTE = Duration.ofSeconds(1);
    private static final Duration TOTAL = Duration.ofSeconds(2);
    private static final Duration IDLE = Duration.ofSeconds(1);
    private static final Duration CONNECT = Duration.ofSeconds(1);
    private static final Duration HEADER_READ = Duration.ofSeconds(1);
    private static final Duration KEEP_ALIVE_IDLE = Duration.ofSeconds(2);
    /** How late a timeout may fire and still pass, on a loaded two-core machine. */
    private static final Duration SLACK = Duration.ofSeconds(1);
    private static final int STALLED_BODY_LENGTH = 1_000_000;

    private static final Upstreams upstreams = new Upstreams();
    private static final List<Socket> backlogFillers = new ArrayList<>();
    private static ServerSocket blackhole;
    private static boolean blackholeWorks;
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() throws IOException {
        String stalling = upstreams.http(request -> {
            HttpServerResponse response = request.response();
            response.putHeader("content-length", Integer.toString(STALLED_BODY_LENGTH));
            response.write(Buffer.buffer(new byte[1000])); // and then nothing, while the connection stays open
        });
        String trickling = upstreams.http(request -> {
            HttpServerResponse response = request.response().setChunked(true);
            long timer = upstreams.vertx().setPeriodic(200, t -> response.write("tick\n"));
            response.closeHandler(v -> upstreams.vertx().cancelTimer(timer));
        });
        gateway = RampartProcess.gateway("""
                service: timeouts-it
                listen:
                  host: 127.0.0.1
                  port: ${listen.port}
                  header-read-timeout: %s
                  keep-alive-idle: %s
                admin: { port: ${admin.port} }
                upstreams:
                  demo: { endpoints: [ "%s" ] }
                  stalling: { endpoints: [ "%s" ] }
                  trickling: { endpoints: [ "%s" ] }
                  refusing: { endpoints: [ "http://127.0.0.1:%d" ] }
                  blackholed: { endpoints: [ "http://127.0.0.1:%d" ] }
                routes:
                  - id: first-byte
                    match: { prefix: /first-byte/ }
                    upstream: demo
                    strip-prefix: /first-byte
                    timeouts: { first-byte: %s, total: 10s }
                  - id: total
                    match: { prefix: /total/ }
                    upstream: demo
                    strip-prefix: /total
                    timeouts: { first-byte: %s, idle: %s, total: %s }
                  - id: trickle
                    match: { prefix: /trickle }
                    upstream: trickling
                    timeouts: { first-byte: %s, idle: %s, total: %s }
                  - id: stall
                    match: { prefix: /stall }
                    upstream: stalling
                    timeouts: { idle: %s, total: 30s }
                  - id: refused
                    match: { prefix: /refused }
                    upstream: refusing
                  - id: blackholed
                    match: { prefix: /blackholed }
                    upstream: blackholed
                    timeouts: { connect: %s }
                    retries: off            # one connect attempt: this proves its timeout
                  - id: demo
                    upstream: demo
                """.formatted(yaml(HEADER_READ), yaml(KEEP_ALIVE_IDLE),
                upstreams.demoUrl("pricing"), stalling, trickling, FreePorts.closed(), blackholedPort(),
                yaml(FIRST_BYTE), yaml(FIRST_BYTE), yaml(IDLE), yaml(TOTAL), yaml(FIRST_BYTE), yaml(IDLE), yaml(TOTAL),
                yaml(IDLE), yaml(CONNECT)))
                .name("TimeoutsIT").start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        for (Socket socket : backlogFillers) {
            socket.close();
        }
        if (blackhole != null) {
            blackhole.close();
        }
        upstreams.close();
    }

    /**
     * A listening socket that never accepts, with its accept queue filled: the kernel drops further SYNs, so a
     * connect to it hangs as it would to a blackholed address, without sending traffic off this machine.
     */
    private static int blackholedPort() throws IOException {
        blackhole = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", blackhole.getLocalPort());
        for (int i = 0; i < 32 && !blackholeWorks; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(address, 300);
                backlogFillers.add(socket);
            } catch (SocketTimeoutException queueFull) {
                socket.close();
                blackholeWorks = true;
            }
        }
        return blackhole.getLocalPort();
    }

    // ---- upstream side -------------------------------------------------------------------------------------------

    @Test
    void upstreamThatHangsGets504WithinTheFirstByteTimeout() {
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.get("/first-byte/prices/1?hang=true");
        Duration elapsed = since(start);

        assertError(response, 504, "upstream_timeout");
        assertThat(elapsed).isBetween(FIRST_BYTE, FIRST_BYTE.plus(SLACK));
    }

    @Test
    void slowRequestBodyIsCutOffAtTheTotalDeadlineWith504() throws IOException {
        // the body keeps coming (so the idle timeout never fires), but the whole exchange takes too long
        long start = System.nanoTime();
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send(RawHttp.request("POST", "/total/echo/slow-upload", "Host: gateway.test",
                    "Content-Length: 100000"));
            byte[] piece = new byte[100];
            while (since(start).compareTo(TOTAL.plus(SLACK).plus(SLACK)) < 0 && connection.trySend(piece)) {
                sleep(Duration.ofMillis(200));
                if (connection.hasBytesToRead()) {
                    break;
                }
            }
            RawHttp.Response response = connection.timeout(Duration.ofSeconds(5)).readResponse();
            Duration elapsed = since(start);

            assertThat(response.status()).as("%s", response).isEqualTo(504);
            assertThat(response.json().path("error").path("code").asText()).isEqualTo("upstream_timeout");
            assertThat(elapsed).isBetween(TOTAL, TOTAL.plus(SLACK));
        }
    }

    @Test
    void requestBodyStallingLongerThanTheIdleTimeoutGets408() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send(RawHttp.request("POST", "/total/echo/stalled-upload", "Host: gateway.test",
                    "Content-Length: 1000") + "only ten b");
            long stalledAt = System.nanoTime();

            RawHttp.Response response = connection.timeout(IDLE.plus(SLACK).plus(SLACK)).readResponse();

            assertThat(response.status()).as("%s", response).isEqualTo(408);
            assertThat(response.json().path("error").path("code").asText()).isEqualTo("client_body_timeout");
            assertThat(since(stalledAt)).isBetween(IDLE, IDLE.plus(SLACK));
        }
    }

    @Test
    void responseStillStreamingAtTheTotalDeadlineIsCutOff() {
        long start = System.nanoTime();
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response head = connection.send(RawHttp.request("GET", "/trickle", "Host: gateway.test",
                    "X-Request-Id: timeouts-trickle")).readResponseHead();
            assertThat(head.status()).isEqualTo(200);

            boolean closed = connection.timeout(TOTAL.plus(SLACK).plus(SLACK)).awaitClosedByPeer();
            Duration elapsed = since(start);

            assertThat(closed).as("connection cut while the upstream kept sending").isTrue();
            assertThat(elapsed).isBetween(TOTAL, TOTAL.plus(SLACK));
        }
        assertThat(gateway.awaitAccessLog("timeouts-trickle").path("error_code").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void upstreamStallingMidBodyGetsTheClientConnectionCutWithinTheIdleTimeout() throws IOException {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response head = connection.send(RawHttp.request("GET", "/stall", "Host: gateway.test",
                    "X-Request-Id: timeouts-stall")).readResponseHead();
            long headAt = System.nanoTime();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Integer.toString(STALLED_BODY_LENGTH));

            long received = connection.timeout(IDLE.plus(SLACK).plus(SLACK)).discard(STALLED_BODY_LENGTH);
            Duration elapsed = since(headAt);

            assertThat(received).as("body bytes before the cut").isEqualTo(1000);
            assertThat(elapsed).as("cut after the idle timeout, not at the total").isBetween(IDLE.minusMillis(100), IDLE.plus(SLACK));
        }
        JsonNode logged = gateway.awaitAccessLog("timeouts-stall");
        assertThat(logged.path("error_code").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void upstreamPortThatRefusesConnectionsGets502UpstreamUnavailable() {
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.get("/refused");

        assertError(response, 502, "upstream_unavailable");
        assertThat(since(start)).isLessThan(CONNECT);
    }

    @Test
    void blackholedUpstreamGets504ConnectTimeoutWithinTheConnectTimeout() {
        Assumptions.assumeTrue(blackholeWorks, "the kernel did not drop SYNs to a full accept queue");
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.get("/blackholed");
        Duration elapsed = since(start);

        assertError(response, 504, "upstream_connect_timeout");
        assertThat(elapsed).isBetween(CONNECT, CONNECT.plus(SLACK));
    }

    @Test
    void upstreamThatResetsTheConnectionGets502UpstreamReset() {
        HttpResponse<String> response = gateway.get("/prices/1?reset=true");
        assertError(response, 502, "upstream_reset");
    }

    // ---- client side ---------------------------------------------------------------------------------------------

    @Test
    void slowlorisClientIsAnswered408AndClosedWithinTheHeaderReadTimeoutWhileOthersAreServed() throws Exception {
        CompletableFuture<SlowClient> slowloris = CompletableFuture.supplyAsync(() -> sendHeadersSlowly(
                "GET /prices/1 HTTP/1.1\r\nHost: gateway.test\r\nX-Padding: " + "a".repeat(200)));
        sleep(Duration.ofMillis(200));
        for (int i = 0; i < 5 && !slowloris.isDone(); i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = gateway.get("/prices/" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(since(start)).as("a normal request while a slowloris client is connected")
                    .isLessThan(HEADER_READ);
        }
        SlowClient slow = slowloris.get(20, TimeUnit.SECONDS);

        assertThat(slow.closed()).as("connection closed by the gateway").isTrue();
        assertThat(slow.received()).startsWith("HTTP/1.1 408");
        assertThat(slow.received()).contains("\"code\":\"request_timeout\"");
        assertThat(slow.elapsed()).isBetween(HEADER_READ, HEADER_READ.plus(SLACK));
        String requestId = slow.received().replaceAll("(?s).*\"request_id\":\"([0-9a-f]{32})\".*", "$1");
        JsonNode line = gateway.awaitAccessLog(requestId);
        assertThat(line.path("status").asInt()).as("the refusal is in the access log").isEqualTo(408);
        assertThat(line.path("error_code").asText()).isEqualTo("request_timeout");
    }

    @Test
    void connectionThatSendsNothingIsClosedWithinTheHeaderReadTimeout() {
        long start = System.nanoTime();
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            boolean closed = connection.timeout(HEADER_READ.plus(SLACK).plus(SLACK)).awaitClosedByPeer();
            assertThat(closed).isTrue();
            assertThat(since(start)).isBetween(HEADER_READ, HEADER_READ.plus(SLACK));
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheKeepAliveIdleTime() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection
                    .send(RawHttp.request("GET", "/prices/1", "Host: gateway.test")).readResponse();
            long answeredAt = System.nanoTime();
            assertThat(response.status()).isEqualTo(200);

            boolean closed = connection.timeout(KEEP_ALIVE_IDLE.plus(SLACK).plus(SLACK)).awaitClosedByPeer();
            Duration idleFor = since(answeredAt);

            assertThat(closed).as("idle connection closed").isTrue();
            assertThat(idleFor).isBetween(KEEP_ALIVE_IDLE.minusMillis(100), KEEP_ALIVE_IDLE.plus(SLACK));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** What a client that sends its request head a few bytes at a time saw. */
    private record SlowClient(String received, boolean closed, Duration elapsed) {
    }

    /** Sends {@code head} 4 bytes every 100 ms (never finishing it) and records the answer and when it ended. */
    private static SlowClient sendHeadersSlowly(String head) {
        long start = System.nanoTime();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
            byte[] buffer = new byte[4096];
            for (int sent = 0; since(start).compareTo(Duration.ofSeconds(10)) < 0; sent += 4) {
                try {
                    if (sent < bytes.length) {
                        out.write(bytes, sent, Math.min(4, bytes.length - sent));
                        out.flush();
                    }
                } catch (IOException writeFailed) {
                    // closed by the gateway: read what it said
                }
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return new SlowClient(received.toString(StandardCharsets.US_ASCII), true, since(start));
                    }
                    received.write(buffer, 0, n);
                } catch (SocketTimeoutException nothingYet) {
                    // keep trickling
                } catch (IOException reset) {
                    return new SlowClient(received.toString(StandardCharsets.US_ASCII), true, since(start));
                }
            }
            return new SlowClient(received.toString(StandardCharsets.US_ASCII), false, since(start));
        } catch (IOException e) {
            throw new AssertionError("slow client could not connect", e);
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode error = JsonLines.parse(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("request_id").asText()).isEqualTo(response.headers().firstValue("x-request-id").orElse(""));
    }

    private static String yaml(Duration duration) {
        return duration.toMillis() + "ms";
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
