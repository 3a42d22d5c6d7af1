package dev.rampart.core.resilience;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutlierDetectorTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long BASE = 30 * SECOND;
    private static final long MAX = 300 * SECOND;
    private static final long T = -5_432_100_000_000L;

    /** The defaults: 5 failures in a row, 30 s growing to 300 s, at most half the endpoints out. */
    private final OutlierDetector detector = new OutlierDetector(10, 5, BASE, MAX, 0.5);

    /** Fails the endpoint {@code times} in a row; returns whether the last failure ejected it. */
    private static boolean fail(OutlierDetector detector, int endpoint, long now, int times) {
        boolean ejected = false;
        for (int i = 0; i < times; i++) {
            ejected = detector.recordFailure(endpoint, now);
        }
        return ejected;
    }

    @Test
    void anEndpointIsEjectedByExactlyTheFifthFailureInARow() {
        for (int i = 1; i <= 4; i++) {
            assertThat(detector.recordFailure(0, T)).isFalse();
        }
        assertThat(detector.isEjected(0, T)).isFalse();

        assertThat(detector.recordFailure(0, T)).isTrue();

        assertThat(detector.isEjected(0, T)).isTrue();
        assertThat(detector.ejectedUntilNanos(0)).isEqualTo(T + BASE);
        assertThat(detector.ejectionCount(0)).isEqualTo(1);
        assertThat(detector.ejectedCount(T)).isEqualTo(1);
    }

    @Test
    void aSuccessResetsTheRunOfFailures() {
        fail(detector, 0, T, 4);
        detector.recordSuccess(0);

        assertThat(fail(detector, 0, T, 4)).isFalse();
        assertThat(detector.recordFailure(0, T)).isTrue();
    }

    @Test
    void anotherEndpointsSuccessDoesNotResetTheRun() {
        fail(detector, 0, T, 4);
        detector.recordSuccess(1);

        assertThat(detector.recordFailure(0, T)).isTrue();
    }

    @Test
    void anEjectionEndsByItselfExactlyWhenItsTimeIsUp() {
        fail(detector, 3, T, 5);

        assertThat(detector.isEjected(3, T + BASE - 1)).isTrue();
        assertThat(detector.isEjected(3, T + BASE)).isFalse();
        assertThat(detector.ejectedCount(T + BASE)).isZero();
    }

    @Test
    void ejectionsGrowByTheBaseUpToTheMaximum() {
        long now = T;
        List<Long> lengths = new ArrayList<>();
        for (int ejection = 1; ejection <= 13; ejection++) {
            assertThat(fail(detector, 0, now, 5)).isTrue();
            long until = detector.ejectedUntilNanos(0);
            lengths.add((until - now) / SECOND);
            now = until; // fails again the moment it is back: no time to decay
        }

        assertThat(lengths).containsExactly(30L, 60L, 90L, 120L, 150L, 180L, 210L, 240L, 270L, 300L, 300L, 300L, 300L);
        assertThat(detector.ejectionCount(0)).isEqualTo(10); // stops growing at the maximum
    }

    @Test
    void aMaximumThatIsNotAMultipleOfTheBaseIsReachedAndKept() {
        OutlierDetector detector = new OutlierDetector(2, 1, BASE, 100 * SECOND, 0.5);
        long now = T;
        List<Long> lengths = new ArrayList<>();
        for (int ejection = 1; ejection <= 6; ejection++) {
            assertThat(detector.recordFailure(0, now)).isTrue();
            long until = detector.ejectedUntilNanos(0);
            lengths.add((until - now) / SECOND);
            now = until;
        }

        assertThat(lengths).containsExactly(30L, 60L, 90L, 100L, 100L, 100L);
        assertThat(detector.ejectionCount(0)).isEqualTo(4);
    }

    @Test
    void theMultiplierDecaysByOneForEachBasePeriodBackInTheRotation() {
        long now = T;
        for (int i = 0; i < 3; i++) { // ejected 30 s, 60 s, 90 s
            fail(detector, 0, now, 5);
            now = detector.ejectedUntilNanos(0);
        }
        long back = now;
        assertThat(detector.ejectionCount(0, back)).isEqualTo(3);

        assertThat(detector.ejectionCount(0, back + BASE - 1)).isEqualTo(3);
        assertThat(detector.ejectionCount(0, back + BASE)).isEqualTo(2);
        assertThat(detector.ejectionCount(0, back + 2 * BASE)).isEqualTo(1);
        assertThat(detector.ejectionCount(0, back + 3 * BASE)).isZero();
        assertThat(detector.ejectionCount(0, back + 1_000 * BASE)).isZero();
        assertThat(detector.ejectionCount(0)).isEqualTo(3); // without a time, the count of its last ejection

        fail(detector, 0, back + 2 * BASE, 5); // decayed to 1: this is ejection number 2
        assertThat(detector.ejectedUntilNanos(0) - (back + 2 * BASE)).isEqualTo(2 * BASE);
        assertThat(detector.ejectionCount(0)).isEqualTo(2);
    }

    @Test
    void anEndpointThatStaysAwayLongEnoughStartsAgainFromTheBase() {
        fail(detector, 0, T, 5);
        long back = detector.ejectedUntilNanos(0);

        fail(detector, 0, back + BASE, 5);

        assertThat(detector.ejectedUntilNanos(0)).isEqualTo(back + BASE + BASE);
        assertThat(detector.ejectionCount(0)).isEqualTo(1);
    }

    @Test
    void theMultiplierDoesNotDecayWhileEjected() {
        long now = T;
        for (int i = 0; i < 4; i++) {
            fail(detector, 0, now, 5);
            now = detector.ejectedUntilNanos(0);
        }
        fail(detector, 0, now, 5); // the fifth ejection: 150 s

        assertThat(detector.ejectionCount(0, now + 149 * SECOND)).isEqualTo(5);
        assertThat(detector.ejectionCount(0, now + 150 * SECOND + BASE)).isEqualTo(4);
    }

    @Test
    void atMostTheAllowedShareOfEndpointsIsEjected() {
        for (int endpoint = 0; endpoint < 5; endpoint++) {
            assertThat(fail(detector, endpoint, T, 5)).isTrue();
        }

        assertThat(fail(detector, 5, T, 5)).isFalse(); // five of ten already out
        assertThat(fail(detector, 6, T, 50)).isFalse();
        assertThat(detector.ejectedCount(T)).isEqualTo(5);
        assertThat(detector.isEjected(5, T)).isFalse();
    }

    @Test
    void aRefusedEndpointIsEjectedByItsNextFailureOnceThereIsRoom() {
        for (int endpoint = 0; endpoint < 5; endpoint++) {
            fail(detector, endpoint, T, 5);
        }
        assertThat(fail(detector, 5, T, 5)).isFalse();

        assertThat(detector.returnEarly(0, T + SECOND)).isTrue();

        assertThat(detector.recordFailure(5, T + SECOND)).isTrue();
        assertThat(detector.ejectedCount(T + SECOND)).isEqualTo(5);
    }

    @Test
    void theAllowedShareIsRoundedDown() {
        OutlierDetector three = new OutlierDetector(3, 1, BASE, MAX, 0.5); // 1.5 endpoints

        assertThat(three.maxEjected()).isEqualTo(1);
        assertThat(three.recordFailure(0, T)).isTrue();
        assertThat(three.recordFailure(1, T)).isFalse();
    }

    @Test
    void aShareThatIsWholeInDecimalIsWholeHereToo() {
        assertThat(new OutlierDetector(100, 1, BASE, MAX, 0.29).maxEjected()).isEqualTo(29); // 28.999999999999996
        assertThat(new OutlierDetector(10, 1, BASE, MAX, 0.3).maxEjected()).isEqualTo(3);
        assertThat(new OutlierDetector(10, 1, BASE, MAX, 0.1).maxEjected()).isEqualTo(1);
        assertThat(new OutlierDetector(9, 1, BASE, MAX, 0.1).maxEjected()).isZero();
        assertThat(new OutlierDetector(10, 1, BASE, MAX, 0).maxEjected()).isZero();
    }

    @Test
    void aSingleEndpointPoolIsNeverEjected() {
        OutlierDetector single = new OutlierDetector(1, 1, BASE, MAX, 1.0);

        assertThat(fail(single, 0, T, 10_000)).isFalse();
        assertThat(single.isEjected(0, T)).isFalse();
        assertThat(single.ejectedUntilNanos(0)).isZero();
        assertThat(single.maxEjected()).isZero();
    }

    @Test
    void theLastEndpointInTheRotationIsNeverEjected() {
        OutlierDetector pair = new OutlierDetector(2, 1, BASE, MAX, 1.0);

        assertThat(pair.recordFailure(0, T)).isTrue();
        assertThat(fail(pair, 1, T, 1_000)).isFalse();

        assertThat(pair.recordFailure(1, T + BASE)).isTrue(); // endpoint 0 is back, so 1 may go
        assertThat(pair.recordFailure(0, T + BASE)).isFalse();
    }

    @Test
    void aPassingHealthCheckBringsAnEjectedEndpointBackAtOnce() {
        fail(detector, 2, T, 5);
        fail(detector, 2, T + BASE, 5); // second ejection, 60 s

        assertThat(detector.returnEarly(2, T + BASE + SECOND)).isTrue();

        assertThat(detector.isEjected(2, T + BASE + SECOND)).isFalse();
        assertThat(detector.ejectedUntilNanos(2)).isZero();
        assertThat(detector.ejectionCount(2)).isEqualTo(2); // kept
        assertThat(detector.returnEarly(2, T + BASE + SECOND)).isFalse();
    }

    @Test
    void returningEarlyIsFalseForAnEndpointThatIsNotEjected() {
        assertThat(detector.returnEarly(0, T)).isFalse();

        fail(detector, 0, T, 5);
        assertThat(detector.returnEarly(0, T + BASE)).isFalse(); // its ejection had just ended
        assertThat(detector.ejectedUntilNanos(0)).isEqualTo(T + BASE);
    }

    @Test
    void afterAnEarlyReturnDecayCountsFromTheReturn() {
        fail(detector, 0, T, 5);
        detector.returnEarly(0, T + SECOND);

        assertThat(detector.ejectionCount(0, T + SECOND + BASE - 1)).isEqualTo(1);
        assertThat(detector.ejectionCount(0, T + SECOND + BASE)).isZero();

        fail(detector, 0, T + 2 * SECOND, 5); // soon after: the multiplier grows on
        assertThat(detector.ejectedUntilNanos(0)).isEqualTo(T + 2 * SECOND + 2 * BASE);
    }

    @Test
    void failuresWhileEjectedAreNotCounted() {
        fail(detector, 0, T, 5);
        assertThat(fail(detector, 0, T + SECOND, 100)).isFalse(); // responses that were already in flight

        assertThat(fail(detector, 0, T + BASE, 4)).isFalse();
        assertThat(detector.recordFailure(0, T + BASE)).isTrue();
    }

    @Test
    void anEarlyReturnStartsANewRunOfFailures() {
        fail(detector, 0, T, 5);
        detector.returnEarly(0, T + SECOND);

        assertThat(fail(detector, 0, T + SECOND, 4)).isFalse();
        assertThat(detector.recordFailure(0, T + SECOND)).isTrue();
    }

    @Test
    void nothingIsEverEjectedWhenTheShareIsZero() {
        OutlierDetector none = new OutlierDetector(10, 1, BASE, MAX, 0);

        for (int endpoint = 0; endpoint < 10; endpoint++) {
            assertThat(fail(none, endpoint, T, 100)).isFalse();
        }
    }

    @Test
    void anEjectionEndingAtTimeZeroIsStillAnEjection() {
        OutlierDetector detector = new OutlierDetector(2, 1, BASE, MAX, 0.5);

        assertThat(detector.recordFailure(0, -BASE)).isTrue();

        assertThat(detector.isEjected(0, -1)).isTrue();
        assertThat(detector.ejectedUntilNanos(0)).isNotZero();
        assertThat(detector.isEjected(0, 1)).isFalse(); // 0 means "not ejected": it ends 1 ns later
    }

    @Test
    void ejectionsWorkAcrossTheWrapOfTheNanosecondClock() {
        long now = Long.MAX_VALUE - SECOND;

        fail(detector, 0, now, 5);

        assertThat(detector.isEjected(0, now + BASE - 1)).isTrue();
        assertThat(detector.isEjected(0, now + BASE)).isFalse();
    }

    @Test
    void endpointsOutsideThePoolAreRejected() {
        assertThatThrownBy(() -> detector.recordFailure(10, T)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> detector.recordSuccess(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> detector.isEjected(10, T)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> detector.ejectionCount(10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> detector.returnEarly(10, T)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void invalidSettingsAreRejectedWithWhatIsAllowed() {
        assertThatThrownBy(() -> new OutlierDetector(0, 5, BASE, MAX, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("endpoints: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new OutlierDetector(3, 0, BASE, MAX, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("consecutiveFailures: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new OutlierDetector(3, 5, 0, MAX, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("baseEjectionNanos: 0 (expected: > 0)");
        assertThatThrownBy(() -> new OutlierDetector(3, 5, BASE, BASE - 1, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEjectionNanos: 29999999999 (expected: >= baseEjectionNanos 30000000000)");
        assertThatThrownBy(() -> new OutlierDetector(3, 5, BASE, MAX, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxEjectedRatio: 1.5 (expected: 0..1)");
        assertThatThrownBy(() -> new OutlierDetector(3, 5, BASE, MAX, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxEjectedRatio: NaN (expected: 0..1)");
    }

    /**
     * Random failures, successes, early returns and the passing of time on random pools: the rules hold at every
     * step, checked against a plain count of failures in a row kept by the test.
     */
    @Test
    void theRulesHoldOverManyGeneratedHistories() {
        SplittableRandom random = new SplittableRandom(5150);
        for (int history = 0; history < 300; history++) {
            int n = random.nextInt(1, 12);
            int threshold = random.nextInt(1, 6);
            long base = random.nextLong(1, 60) * SECOND;
            long max = base * random.nextLong(1, 12) + random.nextLong(0, base);
            double ratio = random.nextInt(0, 11) / 10.0;
            OutlierDetector detector = new OutlierDetector(n, threshold, base, max, ratio);
            int allowed = Math.min((int) Math.floor(ratio * n + 1e-9), n - 1);
            int[] inARow = new int[n];
            long now = random.nextLong();

            for (int step = 0; step < 3_000; step++) {
                now += random.nextInt(10) == 0 ? random.nextLong(0, 2 * max) : random.nextLong(0, base / 4);
                int endpoint = random.nextInt(n);
                String context = "history " + history + " step " + step;
                int what = random.nextInt(10);
                if (what < 6) {
                    boolean wasEjected = detector.isEjected(endpoint, now);
                    int before = detector.ejectedCount(now);
                    int multiplier = detector.ejectionCount(endpoint, now);
                    if (!wasEjected) {
                        inARow[endpoint]++;
                    }
                    boolean ejected = detector.recordFailure(endpoint, now);
                    if (ejected) {
                        assertThat(wasEjected).as(context).isFalse();
                        assertThat(inARow[endpoint]).as(context).isGreaterThanOrEqualTo(threshold);
                        assertThat(before).as(context).isLessThan(allowed);
                        int times = Math.min(multiplier + 1, (int) ((max + base - 1) / base));
                        assertThat(detector.ejectionCount(endpoint)).as(context).isEqualTo(times);
                        assertThat(detector.ejectedUntilNanos(endpoint) - now).as(context)
                                .isEqualTo(Math.min(max, base * times));
                        inARow[endpoint] = 0;
                    } else if (!wasEjected) {
                        assertThat(inARow[endpoint] < threshold || before >= allowed).as(context).isTrue();
                    }
                } else if (what < 9) {
                    detector.recordSuccess(endpoint);
                    inARow[endpoint] = 0;
                } else {
                    boolean wasEjected = detector.isEjected(endpoint, now);
                    assertThat(detector.returnEarly(endpoint, now)).as(context).isEqualTo(wasEjected);
                    if (wasEjected) {
                        inARow[endpoint] = 0;
                    }
                }
                int ejectedNow = detector.ejectedCount(now);
                if (ejectedNow > allowed || ejectedNow >= n) {
                    assertThat(ejectedNow).as(context).isLessThanOrEqualTo(allowed).isLessThan(n);
                }
                for (int e = 0; e < n; e++) {
                    int multiplier = detector.ejectionCount(e, now);
                    if (multiplier < 0 || multiplier > (max + base - 1) / base) {
                        assertThat(multiplier).as(context).isBetween(0, (int) ((max + base - 1) / base));
                    }
                }
            }
        }
    }

    @Test
    void concurrentFailuresNeverEjectMoreThanTheAllowedShare() throws Exception {
        OutlierDetector detector = new OutlierDetector(100, 3, BASE, MAX, 0.3);
        AtomicInteger ejections = new AtomicInteger();

        Concurrently.run(8, thread -> {
            SplittableRandom random = new SplittableRandom(thread);
            for (int i = 0; i < 100_000; i++) {
                int endpoint = random.nextInt(100);
                if (random.nextInt(20) == 0) {
                    detector.recordSuccess(endpoint);
                } else if (detector.recordFailure(endpoint, T)) {
                    ejections.incrementAndGet();
                }
            }
            return null;
        });

        assertThat(ejections.get()).isEqualTo(30);
        assertThat(detector.ejectedCount(T)).isEqualTo(30);
    }

    @Test
    void concurrentFailuresOfOneEndpointEjectItOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            OutlierDetector detector = new OutlierDetector(4, 5, BASE, MAX, 0.5);
            AtomicInteger ejections = new AtomicInteger();

            Concurrently.run(4, thread -> {
                for (int i = 0; i < 50; i++) {
                    if (detector.recordFailure(0, T)) {
                        ejections.incrementAndGet();
                    }
                }
                return null;
            });

            assertThat(ejections.get()).isEqualTo(1);
            assertThat(detector.ejectionCount(0)).isEqualTo(1);
        }
    }
}
