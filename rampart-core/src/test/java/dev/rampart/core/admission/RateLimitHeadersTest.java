package dev.rampart.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateLimitHeadersTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void policyIsAQuotedNameWithQuotaAndWindow() {
        assertThat(RateLimitHeaders.policy("default", 100, 60)).isEqualTo("\"default\";q=100;w=60");
    }

    @Test
    void currentIsAQuotedNameWithRemainingAndReset() {
        assertThat(RateLimitHeaders.current("default", 42, 17)).isEqualTo("\"default\";r=42;t=17");
    }

    @Test
    void itemsJoinIntoOneListField() {
        assertThat(RateLimitHeaders.list(List.of(
                RateLimitHeaders.policy("burst", 100, 60),
                RateLimitHeaders.policy("daily", 1000, 86400))))
                .isEqualTo("\"burst\";q=100;w=60, \"daily\";q=1000;w=86400");
        assertThat(RateLimitHeaders.list(List.of())).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "plain|\"plain\"",
            "with space|\"with space\"",
            "say \"hi\"|\"say \\\"hi\\\"\"",
            "back\\slash|\"back\\\\slash\"",
            "``|\"\"",
            "a,b;c=d|\"a,b;c=d\"",
    })
    void namesAreQuotedAndEscapedAsStructuredFieldStrings(String name, String quoted) {
        assertThat(RateLimitHeaders.policy(name, 1, 1)).isEqualTo(quoted + ";q=1;w=1");
        assertThat(RateLimitHeaders.validName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"caf\u00e9", "tab\there", "line\r\nbreak", "\u0000", "del\u007f"})
    void namesOutsidePrintableAsciiAreRefused(String name) {
        assertThat(RateLimitHeaders.validName(name)).isFalse();
        assertThatThrownBy(() -> RateLimitHeaders.current(name, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("(expected: printable ASCII only, as a structured-field string)");
    }

    @Test
    void negativeCurrentValuesAreWrittenAsZero() {
        assertThat(RateLimitHeaders.current("n", -1, -5)).isEqualTo("\"n\";r=0;t=0");
    }

    @Test
    void hugeValuesAreClampedToTheLargestStructuredFieldInteger() {
        assertThat(RateLimitHeaders.current("n", Long.MAX_VALUE, Long.MAX_VALUE))
                .isEqualTo("\"n\";r=999999999999999;t=999999999999999");
    }

    @Test
    void aNegativePolicyIsRefused() {
        assertThatThrownBy(() -> RateLimitHeaders.policy("n", -1, 60)).hasMessage("quota: -1 (expected: >= 0)");
        assertThatThrownBy(() -> RateLimitHeaders.policy("n", 1, -60))
                .hasMessage("windowSeconds: -60 (expected: >= 0)");
    }

    @ParameterizedTest
    @CsvSource({
            "-1, 0",
            "0, 0",
            "1, 1",
            "999999999, 1",
            "1000000000, 1",
            "1000000001, 2",
            "59999999999, 60",
            "60000000000, 60",
            "9223372036854775807, 9223372037",
    })
    void secondsAreRoundedUp(long nanos, long seconds) {
        assertThat(RateLimitHeaders.ceilSeconds(nanos)).isEqualTo(seconds);
    }

    @Test
    void aGcraLimitGivesItsPolicyAndDecisionItsCurrentState() {
        Gcra limit = new Gcra(100, 90 * SECOND / 2, 10); // 100 per 45 s
        Gcra.Decision decision = limit.decide(Gcra.NO_TAT, 0, 1);

        assertThat(RateLimitHeaders.policy("api", limit)).isEqualTo("\"api\";q=100;w=45");
        assertThat(RateLimitHeaders.policy("odd", new Gcra(1, 1_500_000_000L, 1))).isEqualTo("\"odd\";q=1;w=2");
        // One request of 100 per 45 s frees its place in 0.45 s: rounded up to 1.
        assertThat(RateLimitHeaders.current("api", decision)).isEqualTo("\"api\";r=9;t=1");
    }
}
