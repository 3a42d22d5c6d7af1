package dev.rampart.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HopByHopHeadersTest {

    @Test
    void hopByHopHeadersAndThoseNamedByConnectionAreNotCopied() {
        MultiMap from = HttpHeaders.headers()
                .add("Connection", "keep-alive, X-Session-Hop")
                .add("Keep-Alive", "timeout=5").add("TE", "trailers").add("Trailer", "x")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "websocket")
                .add("Proxy-Authorization", "Basic x").add("Proxy-Connection", "keep-alive")
                .add("X-Session-Hop", "1")
                .add("Accept", "application/json").add("Authorization", "Bearer t")
                .add("X-Multi", "a").add("X-Multi", "b");
        MultiMap to = HttpHeaders.headers();

        HopByHopHeaders.copy(from, to, Set.of());

        assertThat(to.names()).containsExactlyInAnyOrder("Accept", "Authorization", "X-Multi");
        assertThat(to.getAll("X-Multi")).containsExactly("a", "b");
    }

    @Test
    void aConnectionHeaderOfOnlyCloseStillDropsAHeaderNamedClose() {
        MultiMap from = HttpHeaders.headers().add("Connection", "Close").add("Close", "x").add("Accept", "*/*");
        MultiMap to = HttpHeaders.headers();

        HopByHopHeaders.copy(from, to, Set.of());

        assertThat(to.names()).containsExactly("Accept");
    }

    @Test
    void theAllocationFreeCheckAgreesWithTheListInAnyCase() {
        for (String name : new String[] {"Connection", "KEEP-ALIVE", "proxy-connection", "Proxy-Authenticate",
                "proxy-AUTHORIZATION", "te", "Trailer", "Transfer-Encoding", "UPGRADE"}) {
            assertThat(HopByHopHeaders.isAlwaysHopByHop(name)).as(name).isTrue();
        }
        for (String name : new String[] {"Accept", "tee", "Trailers", "Content-Length", "Authorization", "Host"}) {
            assertThat(HopByHopHeaders.isAlwaysHopByHop(name)).as(name).isFalse();
        }
    }

    @Test
    void headersTheCallerReplacesAreSkipped() {
        MultiMap from = HttpHeaders.headers().add("Host", "a").add("X-Request-Id", "r").add("Accept", "*/*");
        MultiMap to = HttpHeaders.headers();

        HopByHopHeaders.copy(from, to, Set.of("host", "x-request-id"));

        assertThat(to.names()).containsExactly("Accept");
    }

    @Test
    void skippedNamesMatchInAnyCaseAndOnlyWhole() {
        Set<String> skip = Set.of("x-api-key", "host");

        assertThat(HopByHopHeaders.isIn(skip, "X-API-KEY")).isTrue();
        assertThat(HopByHopHeaders.isIn(skip, "X-Api-Key")).isTrue();
        assertThat(HopByHopHeaders.isIn(skip, "HOST")).isTrue();
        assertThat(HopByHopHeaders.isIn(skip, "X-Api-Keys")).isFalse();
        assertThat(HopByHopHeaders.isIn(skip, "X-Api-Ke")).isFalse();
        assertThat(HopByHopHeaders.isIn(Set.of(), "Host")).isFalse();
    }
}
