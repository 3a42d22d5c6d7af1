package dev.rampart.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GcraTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long DAY = TimeUnit.DAYS.toNanos(1);

    /** Takes {@code n} requests of cost 1 at {@code now}, storing each new TAT; returns the last TAT. */
    private static long take(Gcra gcra, long tat, long now, int n) {
        for (int i = 0; i < n; i++) {
            Gcra.Decision decision = gcra.decide(tat, now, 1);
            assertThat(decision.allowed()).as("request %d of %d", i + 1, n).isTrue();
            tat = decision.newTat();
        }
        return tat;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 5, 10, 100})
    void exactlyBurstRequestsPassAtOnceThenTheNextIsRefused(long burst) {
        Gcra gcra = new Gcra(10, SECOND, burst);
        long tat = take(gcra, Gcra.NO_TAT, 0, (int) burst);

        Gcra.Decision next = gcra.decide(tat, 0, 1);

        assertThat(next.allowed()).isFalse();
        assertThat(next.newTat()).isEqualTo(tat);
        assertThat(next.remaining()).isZero();
    }

    @Test
    void retryAfterIsExactlyTheTimeUntilOneMoreFits() {
        Gcra gcra = new Gcra(10, SECOND, 3);
        long interval = gcra.emissionIntervalNanos();
        long tat = take(gcra, Gcra.NO_TAT, 0, 3);

        Gcra.Decision refused = gcra.decide(tat, 0, 1);
        assertThat(refused.retryAfterNanos()).isEqualTo(interval);

        Gcra.Decision stillEarly = gcra.decide(tat, interval - 1, 1);
        assertThat(stillEarly.allowed()).isFalse();
        assertThat(stillEarly.retryAfterNanos()).isEqualTo(1);

        Gcra.Decision onTime = gcra.decide(tat, interval, 1);
        assertThat(onTime.allowed()).isTrue();
        assertThat(onTime.retryAfterNanos()).isZero();
        assertThat(gcra.decide(onTime.newTat(), interval, 1).retryAfterNanos()).isEqualTo(interval);
    }

    @Test
    void remainingCountsDownAndResetIsTheTimeUntilTheBucketIsFull() {
        Gcra gcra = new Gcra(10, SECOND, 4);
        long interval = gcra.emissionIntervalNanos();
        long tat = Gcra.NO_TAT;
        for (int k = 1; k <= 4; k++) {
            Gcra.Decision decision = gcra.decide(tat, 0, 1);
            assertThat(decision.remaining()).as("after request %d", k).isEqualTo(4 - k);
            assertThat(decision.resetNanos()).as("after request %d", k).isEqualTo(k * interval);
            tat = decision.newTat();
        }
        Gcra.Decision refused = gcra.decide(tat, 0, 1);
        assertThat(refused.remaining()).isZero();
        assertThat(refused.resetNanos()).isEqualTo(4 * interval);

        // Half an interval later nothing has come back yet; one interval later one request has.
        assertThat(gcra.decide(tat, interval / 2, 1).remaining()).isZero();
        assertThat(gcra.decide(tat, interval, 1).remaining()).isZero(); // the one that came back is taken
        Gcra.Decision peekAfterOne = gcra.decide(tat, interval, 1);
        assertThat(peekAfterOne.resetNanos()).isEqualTo(4 * interval); // after taking: 3 in flight + 1 = full in 4T

        // Exactly when the bucket is full again, a request leaves burst - 1 and one interval to reset.
        Gcra.Decision full = gcra.decide(tat, 4 * interval, 1);
        assertThat(full.remaining()).isEqualTo(3);
        assertThat(full.resetNanos()).isEqualTo(interval);
        assertThat(gcra.decide(tat, 100 * interval, 1).remaining()).isEqualTo(3);
    }

    @Test
    void aFreshKeyHasAFullBucket() {
        Gcra gcra = new Gcra(100, 60 * SECOND, 100);

        Gcra.Decision first = gcra.decide(Gcra.NO_TAT, 123_456_789, 1);

        assertThat(first.allowed()).isTrue();
        assertThat(first.remaining()).isEqualTo(99);
        assertThat(first.resetNanos()).isEqualTo(gcra.emissionIntervalNanos());
        assertThat(first.newTat()).isEqualTo(123_456_789 + gcra.emissionIntervalNanos());
    }

    @Test
    void aStaleTatInThePastIsAFullBucket() {
        Gcra gcra = new Gcra(10, SECOND, 5);
        long tat = take(gcra, Gcra.NO_TAT, 0, 5);

        Gcra.Decision muchLater = gcra.decide(tat, 3600 * SECOND, 1);

        assertThat(muchLater.remaining()).isEqualTo(4);
        assertThat(muchLater.newTat()).isEqualTo(3600 * SECOND + gcra.emissionIntervalNanos());
    }

    @ParameterizedTest
    @CsvSource({
            "1, 1000000000, 1000000000",
            "3, 1000000000, 333333334",
            "7, 1000000000, 142857143",
            "1000000, 1000000000, 1000",
            "1000000000, 1000000000, 1",
            "1, 86400000000000, 86400000000000",
    })
    void emissionIntervalIsRoundedUpSoThatCountPerPeriodIsNeverExceeded(long count, long period, long interval) {
        Gcra gcra = new Gcra(count, period, 1);

        assertThat(gcra.emissionIntervalNanos()).isEqualTo(interval);
        assertThat(gcra.emissionIntervalNanos() * count).isGreaterThanOrEqualTo(period);
    }

    @Test
    void burstToleranceIsOneIntervalPerRequestBeyondTheFirst() {
        Gcra gcra = new Gcra(10, SECOND, 7);

        assertThat(gcra.burstToleranceNanos()).isEqualTo(6 * gcra.emissionIntervalNanos());
        assertThat(new Gcra(10, SECOND, 1).burstToleranceNanos()).isZero();
    }

    @Test
    void aCostlyRequestTakesThatManyPlaces() {
        Gcra gcra = new Gcra(10, SECOND, 10);
        long interval = gcra.emissionIntervalNanos();

        Gcra.Decision first = gcra.decide(Gcra.NO_TAT, 0, 4);
        assertThat(first.remaining()).isEqualTo(6);
        assertThat(first.resetNanos()).isEqualTo(4 * interval);
        Gcra.Decision second = gcra.decide(first.newTat(), 0, 4);
        assertThat(second.remaining()).isEqualTo(2);

        Gcra.Decision third = gcra.decide(second.newTat(), 0, 4);
        assertThat(third.allowed()).isFalse();
        assertThat(third.remaining()).as("two cheap ones still fit").isEqualTo(2);
        assertThat(third.retryAfterNanos()).isEqualTo(2 * interval);
        assertThat(third.newTat()).isEqualTo(second.newTat());

        Gcra.Decision cheap = gcra.decide(second.newTat(), 0, 2);
        assertThat(cheap.allowed()).isTrue();
        assertThat(cheap.remaining()).isZero();

        assertThat(gcra.decide(second.newTat(), 2 * interval, 4).allowed()).isTrue();
    }

    @Test
    void aRequestCostingMoreThanTheBurstIsNeverAllowed() {
        Gcra gcra = new Gcra(10, SECOND, 5);

        Gcra.Decision decision = gcra.decide(Gcra.NO_TAT, 0, 6);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.retryAfterNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(decision.newTat()).isEqualTo(Gcra.NO_TAT);
        assertThat(decision.remaining()).isEqualTo(5);
        assertThat(gcra.decide(Gcra.NO_TAT, 0, 5).allowed()).isTrue();
    }

    @Test
    void timeGoingBackwardsNeverAdmitsMoreAndNeverMovesTheTatEarlier() {
        Gcra gcra = new Gcra(10, SECOND, 5);
        long interval = gcra.emissionIntervalNanos();
        long now = 100 * SECOND;
        long tat = take(gcra, Gcra.NO_TAT, now, 5);

        for (long back : new long[] {1, interval, SECOND, 100 * SECOND, Long.MAX_VALUE / 4}) {
            Gcra.Decision earlier = gcra.decide(tat, now - back, 1);
            assertThat(earlier.allowed()).as("%d ns back", back).isFalse();
            assertThat(earlier.remaining()).isZero();
            assertThat(earlier.retryAfterNanos()).isEqualTo(interval + back);
        }

        // A reading slightly behind another thread's, once a place is free: allowed, and the TAT only moves later.
        Gcra.Decision behind = gcra.decide(tat, now + interval - 1, 1);
        assertThat(behind.allowed()).isFalse();
        Gcra.Decision later = gcra.decide(tat, now + 3 * interval, 1);
        Gcra.Decision thenBehind = gcra.decide(later.newTat(), now + 2 * interval, 1);
        assertThat(later.newTat()).isGreaterThan(tat);
        assertThat(thenBehind.allowed()).isTrue();
        assertThat(thenBehind.newTat()).isEqualTo(later.newTat() + interval);
        assertThat(gcra.decide(thenBehind.newTat(), now + 2 * interval, 1).allowed()).isFalse();
    }

    @Test
    void oneRequestPerDayNeitherOverflowsNorForgets() {
        Gcra gcra = new Gcra(1, DAY, 1);
        long now = Long.MAX_VALUE - 5; // a nanoTime reading about to wrap

        Gcra.Decision first = gcra.decide(Gcra.NO_TAT, now, 1);
        assertThat(first.allowed()).isTrue();
        assertThat(first.resetNanos()).isEqualTo(DAY);

        Gcra.Decision second = gcra.decide(first.newTat(), now + 10, 1);
        assertThat(second.allowed()).isFalse();
        assertThat(second.retryAfterNanos()).isEqualTo(DAY - 10);
        assertThat(second.resetNanos()).isEqualTo(DAY - 10);

        assertThat(gcra.decide(first.newTat(), now + DAY, 1).allowed()).isTrue();
    }

    @Test
    void aMillionPerSecondWithAMillionBurst() {
        Gcra gcra = new Gcra(1_000_000, SECOND, 1_000_000);
        long tat = Gcra.NO_TAT;
        int allowed = 0;
        for (int i = 0; i < 1_100_000; i++) {
            Gcra.Decision decision = gcra.decide(tat, 0, 1);
            if (decision.allowed()) {
                allowed++;
                tat = decision.newTat();
            }
        }
        assertThat(allowed).isEqualTo(1_000_000);
        assertThat(gcra.decide(tat, 0, 1).retryAfterNanos()).isEqualTo(1000);
        assertThat(gcra.decide(tat, SECOND, 1).remaining()).isEqualTo(999_999);
    }

    @Test
    void aBurstThatWouldOverflowIsRefusedWhenConfigured() {
        assertThatThrownBy(() -> new Gcra(1, DAY, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("burst: " + Long.MAX_VALUE + " (expected: at most ");
        long largest = Long.MAX_VALUE / DAY;
        Gcra gcra = new Gcra(1, DAY, largest);
        assertThat(gcra.decide(Gcra.NO_TAT, Long.MIN_VALUE, (int) Math.min(largest, Integer.MAX_VALUE)).allowed())
                .isTrue();
    }

    @Test
    void aStoredTatNeverReadsAsNone() {
        Gcra gcra = new Gcra(1, SECOND, 1);
        long now = Long.MIN_VALUE - SECOND; // wraps: now + one interval is exactly Long.MIN_VALUE

        Gcra.Decision decision = gcra.decide(Gcra.NO_TAT, now, 1);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.newTat()).isEqualTo(Long.MIN_VALUE + 1);
        assertThat(gcra.decide(decision.newTat(), now, 1).allowed()).isFalse();
    }

    @Test
    void invalidSettingsAreRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> new Gcra(0, SECOND, 1)).hasMessage(
                "count: 0 (expected: 1..1000000000, at most one per nanosecond of the period)");
        assertThatThrownBy(() -> new Gcra(11, 10, 1)).hasMessageStartingWith("count: 11 (expected: 1..10");
        assertThatThrownBy(() -> new Gcra(1, 0, 1)).hasMessage("periodNanos: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new Gcra(1, SECOND, 0)).hasMessage("burst: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new Gcra(1, SECOND, 1).decide(Gcra.NO_TAT, 0, 0))
                .hasMessage("cost: 0 (expected: >= 1)");
    }

    @Test
    void limitsWithTheSameSettingsAreEqual() {
        assertThat(new Gcra(10, SECOND, 5)).isEqualTo(new Gcra(10, SECOND, 5))
                .hasSameHashCodeAs(new Gcra(10, SECOND, 5))
                .isNotEqualTo(new Gcra(10, SECOND, 6));
    }

    // --- Property: against a reference implementation, on random arrivals ---

    /**
     * The reference: GCRA's equivalent "continuous-state leaky bucket" (ITU-T I.371). The bucket holds work measured
     * in nanoseconds, drains one per nanosecond, and takes {@code cost * T} per request if that fits under
     * {@code burst * T}. Written from the definition, with no shortcuts.
     */
    private static final class LeakyBucket {
        final long interval;
        final long capacity;
        long level;
        long last = Long.MIN_VALUE;

        LeakyBucket(Gcra gcra) {
            interval = gcra.emissionIntervalNanos();
            capacity = gcra.burst() * interval;
        }

        Gcra.Decision offer(long now, int cost) {
            if (last != Long.MIN_VALUE) {
                level = Math.max(0, level - (now - last));
            }
            last = now;
            long work = (long) cost * interval;
            long remainingNow = (capacity - level) / interval;
            if (cost > capacity / interval) {
                return new Gcra.Decision(false, 0, remainingNow, level, Long.MAX_VALUE);
            }
            if (level + work > capacity) {
                return new Gcra.Decision(false, 0, remainingNow, level, level + work - capacity);
            }
            level += work;
            return new Gcra.Decision(true, 0, (capacity - level) / interval, level, 0);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "1, 1000000000, 1, 1",
            "10, 1000000000, 1, 2",
            "10, 1000000000, 10, 3",
            "3, 1000000000, 5, 4",
            "100, 60000000000, 20, 5",
            "7, 1000, 3, 6",
            "1, 86400000000000, 2, 7",
    })
    void decisionsMatchTheLeakyBucketAndNoWindowOfOnePeriodAdmitsMoreThanCountPlusBurstMinusOne(
            long count, long period, long burst, long seed) {
        Gcra gcra = new Gcra(count, period, burst);
        LeakyBucket reference = new LeakyBucket(gcra);
        SplittableRandom random = new SplittableRandom(seed);
        long interval = gcra.emissionIntervalNanos();
        long now = random.nextLong(); // anywhere on the nanoTime scale, wrapping included
        long tat = Gcra.NO_TAT;
        List<Long> admitted = new ArrayList<>(); // times relative to the start, one per unit of cost
        long start = now;

        for (int i = 0; i < 20_000; i++) {
            int kind = random.nextInt(100);
            long gap = kind < 30 ? 0                                   // simultaneous arrivals
                    : kind < 90 ? random.nextLong(1, 2 * interval)      // overload: twice the rate on average
                    : kind < 99 ? random.nextLong(1, 3 * period)        // quiet spells
                    : interval;                                         // exactly one interval
            now += gap;
            int cost = random.nextInt(10) == 0 ? random.nextInt(1, (int) Math.min(burst, 4) + 2) : 1;

            Gcra.Decision expected = reference.offer(now, cost);
            Gcra.Decision actual = gcra.decide(tat, now, cost);

            assertThat(actual.allowed()).as("request %d", i).isEqualTo(expected.allowed());
            assertThat(actual.remaining()).as("remaining of %d", i).isEqualTo(expected.remaining());
            assertThat(actual.resetNanos()).as("reset of %d", i).isEqualTo(expected.resetNanos());
            assertThat(actual.retryAfterNanos()).as("retry-after of %d", i).isEqualTo(expected.retryAfterNanos());
            if (actual.allowed()) {
                tat = actual.newTat();
                for (int c = 0; c < cost; c++) {
                    admitted.add(now - start);
                }
            } else {
                assertThat(actual.newTat()).isEqualTo(tat);
            }
        }

        // Sliding window of one period [t, t + period): at most count + burst - 1, so exactly count when burst is 1.
        int first = 0;
        for (int last = 0; last < admitted.size(); last++) {
            while (admitted.get(last) - admitted.get(first) >= period) {
                first++;
            }
            assertThat(last - first + 1).as("admitted in the period ending at %d", admitted.get(last))
                    .isLessThanOrEqualTo((int) (count + burst - 1));
        }
        // Over the whole run: at most burst plus one per interval elapsed.
        long elapsed = admitted.get(admitted.size() - 1) - admitted.get(0);
        assertThat((long) admitted.size()).isLessThanOrEqualTo(burst + elapsed / interval);
    }

    @Test
    void underSustainedOverloadTheRateConvergesToCountPerPeriod() {
        Gcra gcra = new Gcra(50, SECOND, 10);
        SplittableRandom random = new SplittableRandom(42);
        long tat = Gcra.NO_TAT;
        long now = 0;
        long admitted = 0;
        while (now < 100 * SECOND) {
            now += random.nextLong(1, 4_000_000); // about 500 per second offered
            Gcra.Decision decision = gcra.decide(tat, now, 1);
            if (decision.allowed()) {
                admitted++;
                tat = decision.newTat();
            }
        }
        assertThat(admitted).isBetween(100 * 50L - 1, 100 * 50L + 10);
    }
}
