package dev.rampart.it;

import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.ScriptedUpstream;
import dev.rampart.it.support.Upstreams;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static dev.rampart.it.AdmissionIT.assertError;
import static dev.rampart.it.AdmissionIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code identity.hide-api-key: true}, proved black-box: the gateway still identifies clients by their API key, but
 * no upstream request carries the key's header: not a plain request, a cache fetch nor a WebSocket handshake. (That
 * the key is forwarded by default is proved in {@link AdmissionIT}.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HideApiKeyIT {
    private static final String ALICE = "alice-key-hidden-4b2e";

    private static final Upstreams upstreams = new Upstreams();
    /** The handshake headers the WebSocket upstream saw, by the X-Request-Id the test sent. */
    private static final Map<String, MultiMap> handshakes = new ConcurrentHashMap<>();
    private static ScriptedUpstream backend;
    private static RampartProcess gateway;
    private static WebSocketClient webSockets;

    @BeforeAll
    static void startGateway() throws Exception {
        backend = ScriptedUpstream.start(upstreams, "backend");
        int chatPort = upstreams.vertx().createHttpServer(new HttpServerOptions())
                .webSocketHandshakeHandler(handshake -> {
                    handshakes.put(handshake.headers().get("x-request-id"),
                            MultiMap.caseInsensitiveMultiMap().addAll(handshake.headers()));
                    handshake.accept();
                })
                .webSocketHandler(socket -> socket.writeTextMessage("hello"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
        String config = """
                service: hide-api-key-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                identity: { api-key-header: X-Client-Key, hide-api-key: true }
                clients:
                  - { name: alice, api-keys: [ "sha256:ALICE" ] }
                upstreams:
                  backend: { endpoints: [ "BACKEND" ] }
                  chat: { endpoints: [ "http://127.0.0.1:CHAT_PORT" ] }
                routes:
                  - { id: private, match: { prefix: /private/ }, upstream: backend, require-client: true }
                  - { id: cached, match: { prefix: /cached/ }, upstream: backend, require-client: true, cache: { ttl: 60s } }
                  - { id: chat, match: { prefix: /ws/ }, upstream: chat, require-client: true }
                """
                .replace("ALICE", sha256(ALICE))
                .replace("BACKEND", backend.url())
                .replace("CHAT_PORT", Integer.toString(chatPort));
        gateway = RampartProcess.gateway(config).name("HideApiKeyIT").start();
        webSockets = upstreams.vertx().createWebSocketClient();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    @Test
    void aHiddenApiKeyStillIdentifiesTheClientButNeverReachesTheUpstream() {
        HttpResponse<String> known = gateway.get("/private/1", "x-request-id", "hidden-known",
                "X-Client-Key", ALICE, "X-Tenant", "acme");
        HttpResponse<String> missing = gateway.get("/private/2", "x-request-id", "hidden-missing");

        assertThat(known.statusCode()).as(known.body()).isEqualTo(200);
        assertError(missing, 401, "unauthorized");
        assertThat(gateway.awaitAccessLog("hidden-known").path("client").asText()).isEqualTo("alice");
        assertThat(backend.received("hidden-known")).singleElement().satisfies(received -> {
            assertThat(received.headers().contains("x-client-key")).as("the API-key header upstream").isFalse();
            assertThat(received.header("x-tenant")).as("other headers still go").isEqualTo("acme");
        });
        assertThat(backend.received("hidden-missing")).isEmpty();
    }

    @Test
    void aCacheFetchLeavesTheHiddenApiKeyOutToo() {
        HttpResponse<String> fetched = gateway.get("/cached/1", "x-request-id", "hidden-cache-fetch",
                "X-Client-Key", ALICE);

        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.headers().firstValue("x-cache")).hasValue("MISS");
        assertThat(backend.received("hidden-cache-fetch")).singleElement()
                .satisfies(received -> assertThat(received.headers().contains("x-client-key")).isFalse());
    }

    @Test
    void aWebSocketHandshakeLeavesTheHiddenApiKeyOut() throws Exception {
        WebSocket socket = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                        .setPort(gateway.port()).setURI("/ws/room").addHeader("x-request-id", "hidden-handshake")
                        .addHeader("X-Client-Key", ALICE))
                .await(10, TimeUnit.SECONDS);
        socket.close().await(5, TimeUnit.SECONDS);

        MultiMap seen = handshakes.get("hidden-handshake");
        assertThat(seen).as("the handshake reached the upstream").isNotNull();
        assertThat(seen.contains("x-client-key")).as("the API-key header on the handshake").isFalse();
        assertThat(gateway.awaitAccessLog("hidden-handshake").path("client").asText()).isEqualTo("alice");
    }
}
