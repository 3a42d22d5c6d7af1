package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "250ms, 250",
            "0ms, 0",
            "0s, 0",
            "2s, 2000",
            "1.5s, 1500",
            "1.50s, 1500",
            "0.001s, 1",
            "1m, 60000",
            "1.5m, 90000",
            "1h, 3600000",
            "24h, 86400000",
    })
    void wellFormedDurationsParseToMilliseconds(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "1.5", "-1s", "+1s", "1 s", " 1s", "1s ", "1S", "1Ms", "1sec", "1d", "1us",
            "1ns", ".5s", "1.s", "1,5s", "1s500ms", "s", "ms", "0.5ms", "1.0001s", "off", "none",
            "99999999999999999999h"})
    void malformedDurationsAreRejectedWithTheExpectedSyntax(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith((text.isEmpty() ? "\"\"" : text) + " (expected: ")
                .hasMessageContaining("ms, s, m or h");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0s",
            "250, 250ms",
            "1500, 1500ms",
            "2000, 2s",
            "90000, 90s",
            "60000, 1m",
            "600000, 10m",
            "3600000, 1h",
            "5400000, 90m",
    })
    void formatGivesTheShortestExactForm(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }
}
