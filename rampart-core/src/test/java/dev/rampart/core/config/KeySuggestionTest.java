package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeySuggestionTest {

    @ParameterizedTest
    @CsvSource({
            "timeout, timeouts",
            "timouts, timeouts",
            "tiemouts, timeouts",
            "Timeouts, timeouts",
            "maxBodySize, max-body-size",
            "max_body_size, max-body-size",
            "max-body, max-body-size",
            "upstreams, upstream",
            "strip, strip-prefix",
            "rewrites, rewrite",
            "ids, id",
            "rate-limit, rate-limits",
            "requireClient, require-client",
    })
    void suggestsTheRouteKeyMostLikelyMeant(String typed, String meant) {
        assertThat(KeySuggestion.closest(typed, ConfigBinder.ROUTE_KEYS)).contains(meant);
    }

    @ParameterizedTest
    @ValueSource(strings = {"retry", "breaker", "slo", "x", "whatever"})
    void suggestsNothingWhenNoKeyIsClose(String typed) {
        assertThat(KeySuggestion.closest(typed, ConfigBinder.ROUTE_KEYS)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "conect, connect",
            "frist-byte, first-byte",
            "firstByte, first-byte",
            "totl, total",
            "idel, idle",
    })
    void suggestsTimeoutKeys(String typed, String meant) {
        assertThat(KeySuggestion.closest(typed, ConfigBinder.TIMEOUT_KEYS)).contains(meant);
    }

    @ParameterizedTest
    @CsvSource({
            "abc, abc, 0",
            "abc, acb, 1",
            "abc, ab, 1",
            "abc, abcd, 1",
            "abc, xbc, 1",
            "kitten, sitting, 3",
            "ca, abc, 3",
    })
    void editDistanceCountsAnAdjacentSwapAsOneEdit(String a, String b, int distance) {
        assertThat(KeySuggestion.editDistance(a, b)).isEqualTo(distance);
    }
}
