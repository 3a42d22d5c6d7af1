package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Hop-by-hop headers stop at the gateway; forwarding and request-id headers are set; client keep-alive works. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeadersIT {
    private static final List<String> HOP_BY_HOP = List.of("keep-alive", "te", "trailer", "upgrade",
            "proxy-authorization", "proxy-authenticate", "x-foo", "x-bar");
    /** A response with every kind of hop-by-hop header, including one named by Connection. */
    private static final String HOP_BY_HOP_RESPONSE = """
            HTTP/1.1 200 OK\r
            Content-Type: text/plain\r
            Content-Length: 2\r
            Connection: x-bar\r
            Keep-Alive: timeout=99\r
            Proxy-Authenticate: Basic realm="upstream"\r
            Trailer: X-Checksum\r
            Upgrade: h2c\r
            X-Bar: only-for-the-next-hop\r
            X-Kept: end-to-end\r
            \r
            ok""";

    private static final Upstreams upstreams = new Upstreams();
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        gateway = RampartProcess.gateway("""
                service: headers-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  echo: { endpoints: [ "%s" ] }
                  hop-by-hop: { endpoints: [ "%s" ] }
                routes:
                  - id: hop-by-hop-response
                    match: { prefix: /hop-by-hop }
                    upstream: hop-by-hop
                  - id: echo
                    upstream: echo
                """.formatted(upstreams.demoUrl("pricing"), upstreams.tcp(HeadersIT::answerWithHopByHopHeaders)))
                .name("HeadersIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    /** A raw upstream, so that the response headers are exactly these bytes; answers each request head in turn. */
    private static void answerWithHopByHopHeaders(NetSocket socket) {
        StringBuilder received = new StringBuilder();
        socket.handler(chunk -> {
            received.append(chunk.toString(StandardCharsets.ISO_8859_1));
            int end;
            while ((end = received.indexOf("\r\n\r\n")) >= 0) { // requests here have no body
                received.delete(0, end + 4);
                socket.write(Buffer.buffer(HOP_BY_HOP_RESPONSE.getBytes(StandardCharsets.ISO_8859_1)));
            }
        });
    }

    @Test
    void hopByHopRequestHeadersAreNotForwardedUpstream() {
        JsonNode forwarded = echo(
                "Connection: keep-alive, X-Foo",
                "Keep-Alive: timeout=5",
                "TE: trailers",
                "Trailer: X-Checksum",
                "Upgrade: websocket",
                "Proxy-Authorization: Basic cHJveHk6c2VjcmV0",
                "X-Foo: only-for-the-next-hop",
                "X-Kept: end-to-end").path("headers");

        for (String name : HOP_BY_HOP) {
            assertThat(forwarded.has(name)).as("%s forwarded upstream: %s", name, forwarded).isFalse();
        }
        // the gateway's own connection to the upstream may say keep-alive, but never pass on the client's value
        assertThat(forwarded.path("connection").asText("")).doesNotContainIgnoringCase("x-foo");
        assertThat(forwarded.path("x-kept").asText()).isEqualTo("end-to-end");
    }

    @Test
    void hopByHopResponseHeadersAreNotReturnedToTheClient() {
        RawHttp.Response response = call(RawHttp.request("GET", "/hop-by-hop", "Host: gateway.test"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("ok");
        for (String name : HOP_BY_HOP) {
            assertThat(response.headers()).as("%s returned to the client", name).doesNotContainKey(name);
        }
        assertThat(String.valueOf(response.header("connection"))).doesNotContainIgnoringCase("x-bar");
        assertThat(response.header("x-kept")).isEqualTo("end-to-end");
    }

    @Test
    void xForwardedForIsAppendedToTheIncomingOne() {
        JsonNode headers = echo("X-Forwarded-For: 203.0.113.7, 198.51.100.2").path("headers");
        assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("203.0.113.7, 198.51.100.2, 127.0.0.1");
    }

    @Test
    void xForwardedHeadersAreSetFromTheClientConnection() {
        JsonNode headers = echo().path("headers");
        assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(headers.path("x-forwarded-host").asText()).isEqualTo("shop.example.com:8443");
    }

    @Test
    void theUpstreamIsSentItsOwnAuthorityAsHostAndTheClientsInXForwardedHost() {
        JsonNode headers = echo("X-Api-Key: forwarded-as-any-header").path("headers");
        assertThat(headers.path("host").asText()).isEqualTo(upstreams.demoUrl("pricing").replaceFirst("^http://", ""));
        assertThat(headers.path("x-forwarded-host").asText()).isEqualTo("shop.example.com:8443");
        assertThat(headers.path("x-api-key").asText()).isEqualTo("forwarded-as-any-header");
        assertThat(headers.path("x-request-id").asText()).isNotBlank();
    }

    @Test
    void clientCannotSpoofForwardedProtoOrHost() {
        JsonNode headers = echo("X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example").path("headers");
        assertThat(headers.path("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(headers.path("x-forwarded-host").asText()).isEqualTo("shop.example.com:8443");
    }

    @Test
    void requestIdSentByTheClientIsPropagatedUpstreamAndReturned() {
        RawHttp.Response response = call(RawHttp.request("GET", "/echo/id",
                "Host: shop.example.com:8443", "X-Request-Id: order-7f3a-retry-2"));
        assertThat(response.header("x-request-id")).isEqualTo("order-7f3a-retry-2");
        assertThat(response.json().path("headers").path("x-request-id").asText()).isEqualTo("order-7f3a-retry-2");
    }

    @Test
    void requestIdIsGeneratedAs32HexDigitsWhenMissingAndIsTheSameUpstreamAndInTheResponse() {
        RawHttp.Response response = call(RawHttp.request("GET", "/echo/id", "Host: shop.example.com:8443"));
        String returned = response.header("x-request-id");
        assertThat(returned).matches("[0-9a-f]{32}");
        assertThat(response.json().path("headers").path("x-request-id").asText()).isEqualTo(returned);
        assertThat(gateway.awaitAccessLog(returned).path("status").asInt()).isEqualTo(200);
    }

    @Test
    void twoRequestsShareOneClientConnection() {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response first = connection
                    .send(RawHttp.request("GET", "/echo/first", "Host: gateway.test")).readResponse();
            RawHttp.Response second = connection
                    .send(RawHttp.request("GET", "/echo/second", "Host: gateway.test")).readResponse();

            assertThat(first.status()).isEqualTo(200);
            assertThat(String.valueOf(first.header("connection"))).doesNotContainIgnoringCase("close");
            assertThat(first.json().path("path").asText()).isEqualTo("/echo/first");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.json().path("path").asText()).isEqualTo("/echo/second");
            assertThat(connection.timeout(Duration.ofMillis(300)).awaitClosedByPeer())
                    .as("connection closed after two requests").isFalse();
        }
    }

    @Test
    void thousandsOfRequestsInARowOnKeepAliveConnectionsAllSucceed() throws Exception {
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                try (RawHttp connection = RawHttp.connect(gateway.port())) {
                    for (int i = 0; i < 2000; i++) {
                        try {
                            RawHttp.Response response = connection.send(RawHttp.request("GET", "/prices/" + i,
                                    "Host: gateway.test")).readResponse();
                            if (response.status() != 200) {
                                failures.add("client " + client + " request " + i + ": " + response);
                            }
                        } catch (RuntimeException e) {
                            failures.add("client " + client + " request " + i + ": " + e.getMessage());
                            return;
                        }
                    }
                }
            }, "keep-alive-client-" + c);
            thread.start();
            clients.add(thread);
        }
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(50));
        }
        assertThat(failures).as("failed requests").isEmpty();
    }

    private static JsonNode echo(String... headers) {
        String[] all = new String[headers.length + 1];
        all[0] = "Host: shop.example.com:8443";
        System.arraycopy(headers, 0, all, 1, headers.length);
        RawHttp.Response response = call(RawHttp.request("GET", "/echo/headers", all));
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        return response.json();
    }

    private static RawHttp.Response call(String request) {
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            return connection.send(request).readResponse();
        }
    }
}
