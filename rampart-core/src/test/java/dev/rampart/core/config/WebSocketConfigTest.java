package dev.rampart.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketConfigTest {
    private static String route(String extra) {
        return """
                upstreams:
                  chat: { endpoints: [ "http://127.0.0.1:7001" ] }
                routes:
                  - id: chat
                    upstream: chat
                """ + extra;
    }

    private static WebSocketConfig webSocketOf(String extra) {
        ConfigResult result = ConfigLoader.parse(route(extra), "w.yaml");
        assertThat(result.errors()).isEmpty();
        return result.config().routes().get(0).webSocket();
    }

    @Test
    void withoutAWebsocketSectionARouteTunnelsWebSocketsClosingThemAfterFiveIdleMinutes() {
        assertThat(webSocketOf("")).isEqualTo(new WebSocketConfig(true, Duration.ofMinutes(5)));
        assertThat(webSocketOf("    websocket:\n")).isEqualTo(WebSocketConfig.defaults());
    }

    @Test
    void aRouteCanTurnWebSocketsOffOrSetItsOwnIdleTimeout() {
        assertThat(webSocketOf("    websocket: { enabled: false }\n").enabled()).isFalse();
        assertThat(webSocketOf("    websocket: { idle-timeout: 90s }\n"))
                .isEqualTo(new WebSocketConfig(true, Duration.ofSeconds(90)));
        assertThat(webSocketOf("    websocket: { idle-timeout: 24h }\n").idleTimeout()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void anIdleTimeoutOverADayIsRejectedWithWhereAndWhatIsAllowed() {
        ConfigResult result = ConfigLoader.parse(route("    websocket: { idle-timeout: 25h }\n"), "w.yaml");

        assertThat(result.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("routes[0].websocket.idle-timeout");
            assertThat(error.format()).contains("w.yaml:6:").contains("24h");
        });
    }

    @Test
    void anUnknownWebsocketKeyIsRejectedNamingTheKeysAllowed() {
        ConfigResult result = ConfigLoader.parse(route("    websocket: { idle: 30s }\n"), "w.yaml");

        assertThat(result.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("routes[0].websocket.idle");
            assertThat(error.format()).contains("idle-timeout");
        });
    }

    @Test
    void enabledMustBeABoolean() {
        ConfigResult result = ConfigLoader.parse(route("    websocket: { enabled: sometimes }\n"), "w.yaml");

        assertThat(result.errors()).singleElement()
                .satisfies(error -> assertThat(error.path()).isEqualTo("routes[0].websocket.enabled"));
    }
}
