package dev.rampart.core.resilience;

import dev.rampart.core.resilience.RetryBudget.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RetryBudgetTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long WINDOW = 10 * SECOND;
    /** A bucket boundary well below zero, as {@code System.nanoTime()} may be. */
    private static final long T = -7_654_000 * SECOND;

    /** The defaults: 20 % of requests, at least 3 retries a second, over 10 s. */
    private final RetryBudget budget = new RetryBudget(0.2, 3, WINDOW);

    private static int acquireAll(RetryBudget budget, long now, int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            if (budget.tryAcquireRetry(now)) {
                admitted++;
            }
        }
        return admitted;
    }

    private static void record(RetryBudget budget, long now, int requests) {
        for (int i = 0; i < requests; i++) {
            budget.recordRequest(now);
        }
    }

    @Test
    void atZeroTrafficExactlyTheFloorIsAllowed() {
        assertThat(acquireAll(budget, T, 100)).isEqualTo(30); // 3 a second x 10 s
        assertThat(budget.snapshot(T)).isEqualTo(new Snapshot(0, 30, 70));
    }

    @Test
    void recordedRetriesCountWithoutAskingAndUseUpTheBudget() {
        record(budget, T, 100);
        for (int i = 0; i < 50; i++) {
            budget.recordRetry(T); // a budget that only measures: every retry is sent and counted
        }

        assertThat(budget.snapshot(T)).isEqualTo(new Snapshot(100, 50, 0));
        assertThat(budget.snapshot(T).amplification()).isEqualTo(1.5);
        assertThat(budget.tryAcquireRetry(T)).as("50 retries already spend max(20, 30)").isFalse();
    }

    @Test
    void atHighTrafficExactlyTwentyPercentIsAllowed() {
        record(budget, T, 1_000);

        assertThat(acquireAll(budget, T, 1_000)).isEqualTo(200);
        assertThat(budget.snapshot(T)).isEqualTo(new Snapshot(1_000, 200, 800));
    }

    @Test
    void theFloorHoldsUntilTheRatioExceedsIt() {
        record(budget, T, 150); // 20 % = 30, the floor

        assertThat(acquireAll(budget, T, 100)).isEqualTo(30);

        record(budget, T, 5); // 155 requests: 31 allowed
        assertThat(acquireAll(budget, T, 100)).isEqualTo(1);
    }

    @ParameterizedTest(name = "ratio {0} of {1} requests allows {2}")
    @CsvSource({
            "0.1, 30, 3",
            "0.2, 100, 20",
            "0.29, 100, 29",
            "0.3, 10, 3",
            "0.7, 10, 7",
            "0.2, 7, 2",     // 1.4: retries 0 and 1 are below it, 2 is not
            "0.2, 5, 1",
            "0.2, 6, 2",
            "1.0, 10, 10",
            "2.5, 4, 10",
            "0, 1000, 0",
    })
    void theRatioBoundaryIsExactForDecimalRatios(double ratio, int requests, int allowed) {
        RetryBudget noFloor = new RetryBudget(ratio, 0, WINDOW);
        record(noFloor, T, requests);

        assertThat(acquireAll(noFloor, T, 1_000)).isEqualTo(allowed);
        assertThat(noFloor.allowedRetries(requests)).isEqualTo(allowed);
    }

    @Test
    void aFloorOverAFractionalWindowIsRoundedUp() {
        RetryBudget budget = new RetryBudget(0, 3, 1_500 * MS); // 4.5 retries

        assertThat(budget.floorRetries()).isEqualTo(5);
        assertThat(acquireAll(budget, T, 10)).isEqualTo(5);
    }

    @Test
    void requestsStopCountingExactlyOneWindowAfterTheirBucketBegan() {
        record(budget, T, 100);
        record(budget, T + SECOND - 1, 50); // the last instant of the same 1 s bucket

        assertThat(budget.snapshot(T + WINDOW - 1).requests()).isEqualTo(150);
        assertThat(budget.snapshot(T + WINDOW).requests()).isZero();
    }

    @Test
    void theWindowSlidesOneBucketAtATime() {
        for (int second = 0; second < 10; second++) {
            record(budget, T + second * SECOND, second + 1); // 1, 2, ... 10
        }

        assertThat(budget.snapshot(T + 9 * SECOND).requests()).isEqualTo(55);
        assertThat(budget.snapshot(T + 10 * SECOND).requests()).isEqualTo(54);
        assertThat(budget.snapshot(T + 14 * SECOND + 999 * MS).requests()).isEqualTo(40); // 6..10
        assertThat(budget.snapshot(T + 19 * SECOND - 1).requests()).isEqualTo(10);
        assertThat(budget.snapshot(T + 19 * SECOND).requests()).isZero();
    }

    @Test
    void spentRetriesAreGivenBackWhenTheWindowPasses() {
        assertThat(acquireAll(budget, T, 30)).isEqualTo(30);
        assertThat(budget.tryAcquireRetry(T + WINDOW - 1)).isFalse();

        assertThat(budget.tryAcquireRetry(T + WINDOW)).isTrue();
        assertThat(budget.snapshot(T + WINDOW)).isEqualTo(new Snapshot(0, 1, 1)); // the refusal at 9.999 s counts on
    }

    @Test
    void retriesSpreadOverTheWindowStillShareOneBudget() {
        for (int second = 0; second < 10; second++) {
            assertThat(acquireAll(budget, T + second * SECOND, 3)).isEqualTo(3);
        }

        assertThat(budget.tryAcquireRetry(T + 9 * SECOND + 999 * MS)).isFalse();
        assertThat(acquireAll(budget, T + 10 * SECOND, 10)).isEqualTo(3); // the first second's 3 came back
    }

    @Test
    void timeStandingStillIsHarmless() {
        record(budget, T, 500);
        record(budget, T, 500);

        assertThat(acquireAll(budget, T, 500)).isEqualTo(200);
        assertThat(budget.snapshot(T)).isEqualTo(new Snapshot(1_000, 200, 300));
        assertThat(budget.snapshot(T)).isEqualTo(budget.snapshot(T));
    }

    @Test
    void timeGoingBackwardsIsHarmless() {
        record(budget, T + 5 * SECOND, 100);
        record(budget, T + 3 * SECOND, 50); // another event loop read its clock a little earlier

        Snapshot latest = budget.snapshot(T + 5 * SECOND);
        assertThat(latest.requests()).isEqualTo(150);
        assertThat(budget.snapshot(T)).isEqualTo(latest); // an earlier "now" sees the latest window, not less

        assertThat(acquireAll(budget, T + 2 * SECOND, 100)).isEqualTo(30);
        assertThat(acquireAll(budget, T + 5 * SECOND, 100)).isZero(); // those retries were counted, not lost
        assertThat(budget.snapshot(T + 5 * SECOND)).isEqualTo(new Snapshot(150, 30, 170));
    }

    @Test
    void aRequestOlderThanTheWholeWindowIsNotCounted() {
        record(budget, T + 20 * SECOND, 10);
        record(budget, T + 10 * SECOND, 7); // the same slot of the ring, one window back
        record(budget, T, 5);

        assertThat(budget.snapshot(T + 20 * SECOND).requests()).isEqualTo(10);
    }

    @Test
    void aLongSilenceEmptiesTheWindow() {
        record(budget, T, 1_000);
        acquireAll(budget, T, 300);

        long muchLater = T + 1_000_000 * SECOND;
        assertThat(budget.snapshot(muchLater)).isEqualTo(new Snapshot(0, 0, 0));
        assertThat(acquireAll(budget, muchLater, 100)).isEqualTo(30);
    }

    @Test
    void startingAtAnUnalignedTimeExpiresWithTheBucketItFellIn() {
        long start = 123_456_789_012L; // 0.012... s into a bucket
        long bucketStart = start - start % SECOND;
        record(budget, start, 10);

        assertThat(budget.snapshot(bucketStart + WINDOW - 1).requests()).isEqualTo(10);
        assertThat(budget.snapshot(bucketStart + WINDOW).requests()).isZero();
    }

    @Test
    void amplificationIsTheShareRetriesAdd() {
        record(budget, T, 100);
        acquireAll(budget, T, 25);

        Snapshot snapshot = budget.snapshot(T);
        assertThat(snapshot).isEqualTo(new Snapshot(100, 25, 0));
        assertThat(snapshot.amplification()).isEqualTo(1.25);
        assertThat(new Snapshot(0, 0, 0).amplification()).isEqualTo(1.0);
        assertThat(new Snapshot(0, 7, 3).amplification()).isEqualTo(1.0);
    }

    @ParameterizedTest(name = "a window of {0} ms has buckets of {1} ns")
    @CsvSource({
            "10000, 1000000000",
            "60000, 1000000000",
            "300000, 1000000000",
            "15000, 1000000000",
            "1000, 100000000",
            "1500, 150000000",
            "2000, 200000000",
            "12500, 781250000",  // 16 buckets: 13, 14 and 15 do not divide 12.5 s
            "299999, 937496875", // 320 buckets
            "7, 700000",
            "1, 100000",
    })
    void bucketsAreAtMostASecondAndATenthOfTheWindow(long windowMillis, long bucketNanos) {
        RetryBudget budget = new RetryBudget(0.2, 3, windowMillis * MS);

        assertThat(budget.bucketNanos()).isEqualTo(bucketNanos);
    }

    @Test
    void everyWindowTheConfigAllowsIsSplitExactlyIntoFewBuckets() {
        for (long millis = 1; millis <= 300_000; millis++) { // the config allows 1 s to 5 min, in milliseconds
            long window = millis * MS;
            long bucket = RetryBudget.bucketNanosFor(window);
            long fewest = Math.max(10, (window + SECOND - 1) / SECOND);

            assertThat(window % bucket).isZero();
            assertThat(bucket).isLessThanOrEqualTo(SECOND);
            assertThat(window / bucket).as("window %d ms", millis).isBetween(fewest, fewest * 16 / 10);
        }
    }

    @Test
    void invalidSettingsAreRejectedWithWhatIsAllowed() {
        assertThatThrownBy(() -> new RetryBudget(-0.1, 3, WINDOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ratio: -0.1 (expected: 0..1000)");
        assertThatThrownBy(() -> new RetryBudget(Double.NaN, 3, WINDOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ratio: NaN (expected: 0..1000)");
        assertThatThrownBy(() -> new RetryBudget(0.2, -1, WINDOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minRetriesPerSecond: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new RetryBudget(0.2, 3, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("windowNanos: 0 (expected: a whole number of milliseconds, at least 1 ms)");
        assertThatThrownBy(() -> new RetryBudget(0.2, 3, SECOND + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("windowNanos: 1000000001 (expected:");
    }

    /**
     * A model of the rule written the slow, obvious way: every event kept with its bucket, the window summed from
     * scratch, the allowance computed in exact decimals. The budget must decide exactly as the model does.
     */
    @Test
    void decisionsMatchAnExactModelOverManyGeneratedHistories() {
        SplittableRandom random = new SplittableRandom(20240611);
        long[] windows = {SECOND, 1_500 * MS, 2 * SECOND, 10 * SECOND, 60 * SECOND};
        for (int history = 0; history < 300; history++) {
            BigDecimal ratio = BigDecimal.valueOf(random.nextInt(0, 1_001), 3); // 0.000 .. 1.000
            int floor = random.nextInt(0, 6);
            long window = windows[random.nextInt(windows.length)];
            RetryBudget budget = new RetryBudget(ratio.doubleValue(), floor, window);
            Model model = new Model(ratio, floor, window, budget.bucketNanos());
            long now = random.nextLong(-1_000_000 * SECOND, 1_000_000 * SECOND);

            for (int step = 0; step < 2_000; step++) {
                int move = random.nextInt(100);
                if (move < 60) {
                    now += random.nextLong(0, window / 20);
                } else if (move < 62) {
                    now += random.nextLong(window / 2, 3 * window);
                } else if (move < 65) {
                    now -= random.nextLong(0, window / 2); // another thread's older clock reading
                }
                int what = random.nextInt(10);
                String context = "history " + history + " step " + step;
                if (what < 7) {
                    budget.recordRequest(now);
                    model.request(now);
                } else if (what < 9) {
                    boolean admitted = budget.tryAcquireRetry(now);
                    assertThat(admitted).as(context).isEqualTo(model.tryRetry(now));
                    if (admitted) { // the window never holds a retry admitted past max(ratio x requests, floor)
                        BigDecimal before = BigDecimal.valueOf(model.retriesInWindow() - 1);
                        assertThat(before).as(context).isLessThan(model.allowance(model.requestsInWindow()));
                    }
                } else {
                    assertThat(budget.snapshot(now)).as(context).isEqualTo(model.snapshot(now));
                }
            }
        }
    }

    /** The rule, straight from its definition. */
    private static final class Model {
        private final BigDecimal ratio;
        private final BigDecimal floor;
        private final long bucketNanos;
        private final long buckets;
        private final List<long[]> events = new ArrayList<>(); // {bucket index, kind}
        private long newest = Long.MIN_VALUE;

        Model(BigDecimal ratio, int perSecond, long window, long bucketNanos) {
            this.ratio = ratio;
            this.floor = BigDecimal.valueOf(perSecond).multiply(BigDecimal.valueOf(window, 9));
            this.bucketNanos = bucketNanos;
            this.buckets = window / bucketNanos;
        }

        void request(long now) {
            long index = see(now);
            events.add(new long[] {index, 0});
        }

        boolean tryRetry(long now) {
            see(now);
            boolean admitted = BigDecimal.valueOf(count(1)).compareTo(allowance(count(0))) < 0;
            events.add(new long[] {newest, admitted ? 1 : 2});
            return admitted;
        }

        Snapshot snapshot(long now) {
            see(now);
            return new Snapshot(count(0), count(1), count(2));
        }

        long requestsInWindow() {
            return count(0);
        }

        long retriesInWindow() {
            return count(1);
        }

        BigDecimal allowance(long requests) {
            return ratio.multiply(BigDecimal.valueOf(requests)).max(floor);
        }

        private long see(long now) {
            long index = Math.floorDiv(now, bucketNanos);
            newest = Math.max(newest, index);
            events.removeIf(e -> e[0] <= newest - buckets); // the window never moves back to them
            return index;
        }

        private long count(int kind) {
            return events.stream().filter(e -> e[1] == kind && e[0] > newest - buckets).count();
        }
    }

    @Test
    void concurrentRequestsAreAllCounted() throws Exception {
        int threads = 8;
        int perThread = 200_000;

        Concurrently.run(threads, thread -> {
            for (int i = 0; i < perThread; i++) {
                // each thread walks through the window at its own pace, crossing buckets while others record
                budget.recordRequest(T + (long) i * (WINDOW - 1) / perThread + thread);
            }
            return 0;
        });

        assertThat(budget.snapshot(T + WINDOW - 1).requests()).isEqualTo((long) threads * perThread);
    }

    @Test
    void concurrentRetriesNeverOverspendTheBudget() throws Exception {
        record(budget, T, 1_000); // 200 retries allowed

        List<Integer> admitted = Concurrently.run(8, thread -> acquireAll(budget, T, 1_000));

        assertThat(admitted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
        assertThat(budget.snapshot(T)).isEqualTo(new Snapshot(1_000, 200, 7_800));
    }

    @Test
    void concurrentRequestsAndRetriesAreCountedExactly() throws Exception {
        int threads = 8;
        int rounds = 50_000;

        List<Integer> admitted = Concurrently.run(threads, thread -> {
            int mine = 0;
            for (int i = 0; i < rounds; i++) {
                long now = T + (long) i * (WINDOW - 1) / rounds;
                budget.recordRequest(now);
                if (i % 4 == 0 && budget.tryAcquireRetry(now)) {
                    mine++;
                }
            }
            return mine;
        });

        long retries = admitted.stream().mapToInt(Integer::intValue).sum();
        Snapshot snapshot = budget.snapshot(T + WINDOW - 1);
        assertThat(snapshot.requests()).isEqualTo((long) threads * rounds);
        assertThat(snapshot.retries()).isEqualTo(retries);
        assertThat(snapshot.retries() + snapshot.suppressed()).isEqualTo((long) threads * rounds / 4);
        assertThat(snapshot.retries()).isLessThanOrEqualTo(budget.allowedRetries(snapshot.requests()));
        // requests keep arriving four to one, so the budget ends close to full
        assertThat((double) snapshot.retries()).isCloseTo(0.2 * snapshot.requests(), within(100.0));
    }

    @Test
    void theModelAgreesWithTheDefinitionOnAHandWorkedCase() {
        Model model = new Model(new BigDecimal("0.2"), 3, WINDOW, SECOND);
        for (int i = 0; i < 200; i++) {
            model.request(T);
        }
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            admitted += model.tryRetry(T) ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(40);
        assertThat(model.allowance(200).setScale(0, RoundingMode.UNNECESSARY)).isEqualTo(BigDecimal.valueOf(40));
    }
}
