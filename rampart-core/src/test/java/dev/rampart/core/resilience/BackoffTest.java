package dev.rampart.core.resilience;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BackoffTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final RandomGenerator random = new SplittableRandom(42);

    @Test
    void withoutJitterTheDelayDoublesFromTheBaseUntilTheCap() {
        Backoff backoff = new Backoff(100 * MS, SECOND, false);

        assertThat(backoff.delayNanos(1, random)).isEqualTo(100 * MS);
        assertThat(backoff.delayNanos(2, random)).isEqualTo(200 * MS);
        assertThat(backoff.delayNanos(3, random)).isEqualTo(400 * MS);
        assertThat(backoff.delayNanos(4, random)).isEqualTo(800 * MS);
        assertThat(backoff.delayNanos(5, random)).isEqualTo(SECOND);
        assertThat(backoff.delayNanos(6, random)).isEqualTo(SECOND);
    }

    @Test
    void aCeilingExactlyAtTheCapIsNotCutShort() {
        Backoff backoff = new Backoff(125 * MS, SECOND, false);

        assertThat(backoff.delayNanos(4, random)).isEqualTo(SECOND); // 125 ms x 8
        assertThat(backoff.delayNanos(3, random)).isEqualTo(500 * MS);
    }

    @Test
    void baseEqualToCapGivesTheCapEveryTime() {
        Backoff backoff = new Backoff(SECOND, SECOND, false);

        for (int retry = 1; retry < 100; retry++) {
            assertThat(backoff.delayNanos(retry, random)).isEqualTo(SECOND);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {63, 64, 65, 100, 1_000, Integer.MAX_VALUE})
    void largeRetryNumbersGiveTheCapWithoutOverflow(int retry) {
        Backoff backoff = new Backoff(3, Long.MAX_VALUE, false);

        assertThat(backoff.delayNanos(retry, random)).isEqualTo(Long.MAX_VALUE);
        assertThat(new Backoff(100 * MS, 30 * SECOND, false).delayNanos(retry, random)).isEqualTo(30 * SECOND);
    }

    @Test
    void theLargestDoublingsThatFitAreStillExact() {
        assertThat(new Backoff(1, Long.MAX_VALUE, false).delayNanos(63, random)).isEqualTo(1L << 62);
        assertThat(new Backoff(1, Long.MAX_VALUE, false).delayNanos(64, random)).isEqualTo(Long.MAX_VALUE);
        assertThat(new Backoff(3, Long.MAX_VALUE, false).delayNanos(62, random)).isEqualTo(3L << 61);
        assertThat(new Backoff(3, Long.MAX_VALUE, false).delayNanos(63, random)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void ceilingMatchesExactArithmeticForManyGeneratedInputs() {
        SplittableRandom inputs = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long base = 1 + inputs.nextLong(i % 2 == 0 ? 1_000 * SECOND : Long.MAX_VALUE);
            long cap = base + inputs.nextLong(Long.MAX_VALUE - base + 1);
            int retry = 1 + inputs.nextInt(i % 3 == 0 ? Integer.MAX_VALUE : 80);

            BigInteger exact = BigInteger.valueOf(base).shiftLeft(Math.min(retry - 1, 200))
                    .min(BigInteger.valueOf(cap));

            assertThat(new Backoff(base, cap, false).ceilingNanos(retry))
                    .as("base=%d cap=%d retry=%d", base, cap, retry)
                    .isEqualTo(exact.longValueExact());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void retryNumbersBelowOneAreRejected(int retry) {
        Backoff backoff = new Backoff(MS, SECOND, true);

        assertThatThrownBy(() -> backoff.delayNanos(retry, random))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retry: " + retry + " (expected: >= 1)");
    }

    @Test
    void jitteredDelaysStayBetweenZeroAndTheCeiling() {
        Backoff backoff = new Backoff(10 * MS, 2 * SECOND, true);

        for (int retry = 1; retry <= 12; retry++) {
            long ceiling = backoff.ceilingNanos(retry);
            for (int i = 0; i < 10_000; i++) {
                assertThat(backoff.delayNanos(retry, random)).isBetween(0L, ceiling);
            }
        }
    }

    @Test
    void jitteredDelaysAverageHalfTheCeilingAndSpreadEvenly() {
        Backoff backoff = new Backoff(100 * MS, 10 * SECOND, true);
        long ceiling = backoff.ceilingNanos(4); // 800 ms
        int draws = 200_000;
        int[] deciles = new int[10];
        double sum = 0;

        for (int i = 0; i < draws; i++) {
            long delay = backoff.delayNanos(4, random);
            sum += delay;
            deciles[(int) Math.min(9, delay * 10 / ceiling)]++;
        }

        assertThat(sum / draws).isCloseTo(ceiling / 2.0, within(ceiling * 0.005));
        for (int count : deciles) {
            assertThat(count).isCloseTo(draws / 10, within(draws / 100));
        }
    }

    @Test
    void jitterReachesBothEndsOfItsRange() {
        Backoff backoff = new Backoff(3, 3, true);
        boolean[] seen = new boolean[4];

        for (int i = 0; i < 1_000; i++) {
            seen[(int) backoff.delayNanos(1, random)] = true;
        }

        assertThat(seen).containsOnly(true);
    }

    @Test
    void jitterUnderTheLargestCeilingStaysNonNegative() {
        Backoff backoff = new Backoff(1, Long.MAX_VALUE, true);

        for (int i = 0; i < 10_000; i++) {
            assertThat(backoff.delayNanos(Integer.MAX_VALUE, random)).isNotNegative();
        }
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        Backoff backoff = new Backoff(MS, SECOND, true);
        RandomGenerator first = new SplittableRandom(99);
        RandomGenerator second = new SplittableRandom(99);

        for (int retry = 1; retry < 50; retry++) {
            assertThat(backoff.delayNanos(retry, first)).isEqualTo(backoff.delayNanos(retry, second));
        }
    }

    @Test
    void invalidSettingsAreRejectedWithWhatIsAllowed() {
        assertThatThrownBy(() -> new Backoff(0, SECOND, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseNanos: 0 (expected: > 0)");
        assertThatThrownBy(() -> new Backoff(2 * SECOND, SECOND, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capNanos: 1000000000 (expected: >= baseNanos 2000000000)");
        assertThatThrownBy(() -> new Backoff(MS, SECOND, false).delayNanos(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("random");
    }
}
