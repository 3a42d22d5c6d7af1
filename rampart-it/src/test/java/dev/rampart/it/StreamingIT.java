package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies far larger than the gateway's heap pass through it in both directions: the gateway runs with
 * {@code -Xmx128m} and moves 1 GiB each way, so it must stream with backpressure rather than buffer.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StreamingIT {
    private static final long ONE_GIB = 1L << 30;
    private static final int CHUNK = 64 * 1024;
    /** The repeating 64-byte pattern of the demo's {@code /bytes/{n}} body. */
    private static final byte[] PATTERN = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static final Upstreams upstreams = new Upstreams();
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        gateway = RampartProcess.gateway("""
                service: streaming-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  demo: { endpoints: [ "%s" ] }
                  early: { endpoints: [ "%s" ] }
                routes:
                  - id: early-answer
                    match: { path: /early }
                    upstream: early
                  - id: large-bodies
                    upstream: demo
                    max-body-size: 2GiB
                    timeouts: { total: 5m }
                """.formatted(upstreams.demoUrl("pricing"), upstreams.http(request -> request.response()
                        .putHeader("content-type", "text/plain").end("early")))) // without reading the body
                .jvmFlags("-Xmx128m")
                .name("StreamingIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    @AfterEach
    void gatewayDidNotRunOutOfMemory() {
        assertThat(gateway.isAlive()).as("gateway alive\n%s", gateway.outputForDiagnosis()).isTrue();
        assertThat(String.join("\n", gateway.stderr()) + String.join("\n", gateway.stdout()))
                .doesNotContain("OutOfMemoryError");
    }

    @Test
    void oneGibUploadWithContentLengthReachesTheUpstreamWhole() throws IOException {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send(RawHttp.request("POST", "/echo/upload", "Host: gateway.test",
                    "Content-Type: application/octet-stream", "Content-Length: " + ONE_GIB,
                    "X-Request-Id: streaming-upload-length"));
            OutputStream out = connection.output();
            byte[] chunk = patternChunk();
            for (long sent = 0; sent < ONE_GIB; sent += CHUNK) {
                out.write(chunk);
            }
            out.flush();

            RawHttp.Response response = connection.timeout(Duration.ofSeconds(60)).readResponse();
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.json().path("body_bytes").asLong()).isEqualTo(ONE_GIB);
        }
        JsonNode logged = gateway.awaitAccessLog("streaming-upload-length");
        assertThat(logged.path("bytes_in").asLong()).isEqualTo(ONE_GIB);
    }

    @Test
    void oneGibChunkedUploadReachesTheUpstreamWhole() throws IOException {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send(RawHttp.request("POST", "/echo/upload", "Host: gateway.test",
                    "Content-Type: application/octet-stream", "Transfer-Encoding: chunked",
                    "X-Request-Id: streaming-upload-chunked"));
            OutputStream out = connection.output();
            byte[] chunk = patternChunk();
            byte[] sizeLine = (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent < ONE_GIB; sent += CHUNK) {
                out.write(sizeLine);
                out.write(chunk);
                out.write(crlf);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            RawHttp.Response response = connection.timeout(Duration.ofSeconds(60)).readResponse();
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.json().path("body_bytes").asLong()).isEqualTo(ONE_GIB);
        }
        assertThat(gateway.awaitAccessLog("streaming-upload-chunked").path("bytes_in").asLong()).isEqualTo(ONE_GIB);
    }

    @Test
    void oneGibDownloadWithContentLengthArrivesComplete() throws Exception {
        HttpResponse<InputStream> response = download("/bytes/" + ONE_GIB, "streaming-download-length");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(ONE_GIB);
        assertThat(countCheckingPattern(response.body())).isEqualTo(ONE_GIB);
        assertThat(gateway.awaitAccessLog("streaming-download-length").path("bytes_out").asLong()).isEqualTo(ONE_GIB);
    }

    @Test
    void oneGibChunkedDownloadArrivesComplete() throws Exception {
        HttpResponse<InputStream> response = download("/bytes/" + ONE_GIB + "?chunked=true",
                "streaming-download-chunked");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(countCheckingPattern(response.body())).isEqualTo(ONE_GIB);
        assertThat(gateway.awaitAccessLog("streaming-download-chunked").path("bytes_out").asLong())
                .isEqualTo(ONE_GIB);
    }

    @Test
    void upstreamAnsweringBeforeTheUploadEndsReachesTheClientAndTheConnectionIsClosed() throws IOException {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            connection.send(RawHttp.request("POST", "/early", "Host: gateway.test",
                    "Content-Length: " + 10 * 1024 * 1024, "X-Request-Id: streaming-early"));
            connection.output().write(patternChunk()); // a small part of the body, then the client waits
            connection.output().flush();

            RawHttp.Response response = connection.timeout(Duration.ofSeconds(10)).readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("early");
            assertThat(connection.timeout(Duration.ofSeconds(3)).awaitClosedByPeer())
                    .as("connection closed right after the response, the rest of the body being unreadable").isTrue();
            assertThat(gateway.awaitAccessLog("streaming-early").path("status").asInt()).isEqualTo(200);
            assertThat(response.header("connection")).as("Connection header").isEqualToIgnoringCase("close");
        }
    }

    private static HttpResponse<InputStream> download(String pathAndQuery, String requestId) throws Exception {
        return RampartProcess.httpClient().send(HttpRequest.newBuilder(gateway.uri(pathAndQuery))
                        .header("X-Request-Id", requestId).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Counts the bytes as they stream (never holding them) and checks each is the demo pattern's. */
    private static long countCheckingPattern(InputStream body) throws IOException {
        try (body) {
            byte[] buffer = new byte[CHUNK];
            long total = 0;
            int n;
            while ((n = body.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != PATTERN[(int) ((total + i) % PATTERN.length)]) {
                        throw new AssertionError("byte " + (total + i) + " is not the pattern's: the body is corrupt");
                    }
                }
                total += n;
            }
            return total;
        }
    }

    private static byte[] patternChunk() {
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = PATTERN[i % PATTERN.length];
        }
        return chunk;
    }
}
