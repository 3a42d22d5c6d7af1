package dev.rampart.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyTest {

    @Test
    void aSingleDurationIsAFixedLatency() {
        Latency latency = Latency.parse("200ms");

        assertThat(latency.pickMillis(() -> 0.0)).isEqualTo(200);
        assertThat(latency.pickMillis(() -> 0.999_999)).isEqualTo(200);
    }

    @Test
    void aRangeIsDrawnUniformlyAndBothEndsCanBeReached() {
        Latency latency = Latency.parse("50ms..500ms");

        assertThat(latency.pickMillis(() -> 0.0)).isEqualTo(50);
        assertThat(latency.pickMillis(() -> 0.5)).isEqualTo(275);
        assertThat(latency.pickMillis(() -> 0.999_999_999)).isEqualTo(500);
    }

    @Test
    void secondsAndMillisecondsMix() {
        assertThat(Latency.parse("500ms..2s")).isEqualTo(new Latency(Duration.ofMillis(500), Duration.ofSeconds(2)));
    }

    @Test
    void itPrintsAsTheTextThatParsesBackToIt() {
        assertThat(Latency.parse("2000ms..2500ms")).hasToString("2s..2500ms");
        assertThat(Latency.parse("0s")).hasToString("0s");
        assertThat(Latency.parse(Latency.parse("1s..1s").toString())).isEqualTo(Latency.parse("1000ms"));
    }

    @Test
    void durationTextIsStrict() {
        assertThat(DurationText.parse("15ms")).contains(Duration.ofMillis(15));
        assertThat(DurationText.parse("3s")).contains(Duration.ofSeconds(3));
        assertThat(DurationText.parse("")).isEmpty();
        assertThat(DurationText.parse("ms")).isEmpty();
        assertThat(DurationText.parse("3 s")).isEmpty();
        assertThat(DurationText.parse("+3s")).isEmpty();
        assertThat(DurationText.parse("3S")).isEmpty();
        assertThat(DurationText.parse("3")).isEmpty();
        assertThat(DurationText.parse("3min")).isEmpty();
        assertThat(DurationText.parse("9999999999s")).isEmpty();
    }
}
