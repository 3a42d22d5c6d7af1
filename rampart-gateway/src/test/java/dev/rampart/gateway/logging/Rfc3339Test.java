package dev.rampart.gateway.logging;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class Rfc3339Test {

    @Test
    void formatsUtcWithThreeDigitMilliseconds() {
        assertThat(Rfc3339.format(Instant.parse("2026-11-25T16:50:12.005Z").toEpochMilli()))
                .isEqualTo("2026-11-25T16:50:12.005Z");
        assertThat(Rfc3339.format(Instant.parse("2026-11-25T16:50:12.345Z").toEpochMilli()))
                .isEqualTo("2026-11-25T16:50:12.345Z");
        assertThat(Rfc3339.format(0)).isEqualTo("1970-01-01T00:00:00.000Z");
    }

    @Test
    void theCachedSecondIsNotReusedForTheNextSecond() {
        long t = Instant.parse("2026-11-25T16:50:12.999Z").toEpochMilli();
        assertThat(Rfc3339.format(t)).isEqualTo("2026-11-25T16:50:12.999Z");
        assertThat(Rfc3339.format(t + 1)).isEqualTo("2026-11-25T16:50:13.000Z");
    }
}
