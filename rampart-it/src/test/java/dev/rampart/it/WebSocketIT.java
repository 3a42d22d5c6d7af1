package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * WebSocket upgrades through the gateway: the handshake goes to the upstream with the gateway's forwarding headers,
 * its 101 comes back, and then frames flow both ways untouched until a side closes or the tunnel idles out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketIT {
    private static final Upstreams upstreams = new Upstreams();
    /** The handshake headers the upstream saw, by the X-Request-Id the test sent. */
    private static final Map<String, MultiMap> handshakes = new ConcurrentHashMap<>();
    private static RampartProcess gateway;
    private static WebSocketClient client;
    private static String plainUpstream;

    @BeforeAll
    static void start() throws Exception {
        int wsPort = upstreams.vertx().createHttpServer(new HttpServerOptions()
                        .setWebSocketSubProtocols(List.of("chat.v1"))
                        .setMaxWebSocketFrameSize(256 * 1024).setMaxWebSocketMessageSize(4 * 1024 * 1024))
                .webSocketHandshakeHandler(handshake -> {
                    String id = handshake.headers().get("x-request-id");
                    if (id != null) {
                        handshakes.put(id, MultiMap.caseInsensitiveMultiMap().addAll(handshake.headers()));
                    }
                    if (handshake.path().startsWith("/ws/refuse")) {
                        handshake.reject(403);
                    } else {
                        handshake.accept();
                    }
                })
                .webSocketHandler(WebSocketIT::serve)
                .requestHandler(request -> request.response().setStatusCode(426).end("websockets only"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
        plainUpstream = upstreams.http(request -> {
            StringBuilder names = new StringBuilder();
            request.headers().names().forEach(name -> names.append(name.toLowerCase()).append('\n'));
            request.response().putHeader("content-type", "text/plain").end(names.toString());
        });
        gateway = RampartProcess.gateway("""
                service: websocket-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  chat: { endpoints: [ "http://127.0.0.1:%d" ] }
                  plain: { endpoints: [ "%s" ] }
                routes:
                  - id: idle-chat
                    match: { prefix: /ws/idle }
                    upstream: chat
                    websocket: { idle-timeout: 400ms }
                  - id: no-websockets
                    match: { prefix: /plain }
                    upstream: plain
                    websocket: { enabled: false }
                  - id: chat
                    match: { prefix: /ws }
                    upstream: chat
                    timeouts: { total: 2s }
                """.formatted(wsPort, plainUpstream)).name("WebSocketIT").start();
        client = upstreams.vertx().createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(256 * 1024).setMaxMessageSize(4 * 1024 * 1024));
    }

    /** Greets with what it saw, echoes text and binary messages, and on "bye" closes with code 4000. */
    private static void serve(ServerWebSocket socket) {
        socket.writeTextMessage("hello " + socket.path());
        socket.textMessageHandler(text -> {
            if (text.equals("bye")) {
                socket.close((short) 4000, "upstream says bye");
            } else {
                socket.writeTextMessage("echo:" + text);
            }
        });
        socket.binaryMessageHandler(socket::writeBinaryMessage);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    private static WebSocketConnectOptions options(String path, String requestId) {
        return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(path)
                .addHeader("x-request-id", requestId).addSubProtocol("chat.v1");
    }

    private static WebSocket connect(String path, String requestId, LinkedBlockingQueue<Object> received)
            throws Exception {
        // handlers before connecting: the upstream speaks first, and a message that comes before its handler is lost
        ClientWebSocket socket = client.webSocket();
        socket.textMessageHandler(received::add);
        socket.binaryMessageHandler(received::add);
        return socket.connect(options(path, requestId)).await(10, TimeUnit.SECONDS);
    }

    @Test
    void aWebSocketIsTunnelledBothWaysWithTheHandshakeForwardedLikeARequest() throws Exception {
        String requestId = UUID.randomUUID().toString();
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        WebSocket socket = connect("/ws/room?user=ann", requestId, received);

        assertThat(socket.subProtocol()).isEqualTo("chat.v1");
        assertThat(socket.headers().get("x-request-id")).isEqualTo(requestId);
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("hello /ws/room");
        socket.writeTextMessage("ping");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:ping");
        // big enough to fill socket buffers on the way: the tunnel must pause and resume, and lose nothing
        byte[] big = new byte[3 * 1024 * 1024];
        ThreadLocalRandom.current().nextBytes(big);
        socket.writeBinaryMessage(Buffer.buffer(big));
        Object echoed = received.poll(10, TimeUnit.SECONDS);
        assertThat(echoed).isInstanceOf(Buffer.class);
        assertThat(((Buffer) echoed).getBytes()).isEqualTo(big);

        MultiMap seen = handshakes.get(requestId);
        assertThat(seen.get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.get("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.get("traceparent")).isNotBlank();
        assertThat(seen.get("upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(seen.get("sec-websocket-protocol")).isEqualTo("chat.v1");

        // the tunnel outlives the route's 2 s total timeout, which bounds only the handshake
        Thread.sleep(2500);
        socket.writeTextMessage("still there?");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:still there?");

        socket.close().await(5, TimeUnit.SECONDS);
        JsonNode line = gateway.awaitAccessLog(requestId);
        assertThat(line.path("status").asInt()).isEqualTo(101);
        assertThat(line.path("route").asText()).isEqualTo("chat");
        assertThat(line.path("upstream_status").asInt()).isEqualTo(101);
        assertThat(line.path("error_code").isNull()).as("error_code in %s", line).isTrue();
        assertThat(line.path("bytes_in").asLong()).isGreaterThan(big.length);
        assertThat(line.path("bytes_out").asLong()).isGreaterThan(big.length);
        assertThat(line.path("duration_ms").asDouble()).isGreaterThan(2500);
    }

    @Test
    void theUpstreamClosingTheWebSocketReachesTheClientWithItsCloseCode() throws Exception {
        String requestId = UUID.randomUUID().toString();
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        WebSocket socket = connect("/ws/room", requestId, received);
        CompletableFuture<Short> closed = new CompletableFuture<>();
        socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("hello /ws/room");

        socket.writeTextMessage("bye");

        assertThat(closed.get(5, TimeUnit.SECONDS)).isEqualTo((short) 4000);
        assertThat(gateway.awaitAccessLog(requestId).path("status").asInt()).isEqualTo(101);
    }

    @Test
    void anUpstreamThatRefusesTheUpgradeAnswersTheClientWithItsOwnStatus() {
        String requestId = UUID.randomUUID().toString();
        Future<WebSocket> refused = client.connect(options("/ws/refuse", requestId));

        assertThatThrownBy(() -> refused.await(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(403));
        assertThat(gateway.awaitAccessLog(requestId).path("status").asInt()).isEqualTo(403);
    }

    @Test
    void aTunnelWithoutTrafficIsClosedAfterTheRoutesIdleTimeoutAndLoggedWithoutAnError() throws Exception {
        String requestId = UUID.randomUUID().toString();
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        WebSocket socket = connect("/ws/idle", requestId, received);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        socket.closeHandler(closed::complete);
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("hello /ws/idle");
        long start = System.nanoTime();

        closed.get(5, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(3));
        JsonNode line = gateway.awaitAccessLog(requestId);
        assertThat(line.path("status").asInt()).isEqualTo(101);
        assertThat(line.path("route").asText()).isEqualTo("idle-chat");
        assertThat(line.path("error_code").isNull()).as("error_code in %s", line).isTrue();
    }

    @Test
    void aRouteWithWebSocketsOffForwardsThePlainRequestWithoutItsUpgradeHeaders() {
        RawHttp.Response response;
        try (RawHttp http = RawHttp.connect(gateway.port())) {
            response = http.send(RawHttp.request("GET", "/plain/ws", "Host: gateway.test", "Connection: Upgrade",
                    "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")).readResponse();
        }

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).doesNotContain("upgrade\n").contains("sec-websocket-key\n");
        assertThat(response.headers()).doesNotContainKey("upgrade");
    }
}
