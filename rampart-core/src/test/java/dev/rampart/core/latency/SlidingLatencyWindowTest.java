package dev.rampart.core.latency;

import dev.rampart.core.latency.SlidingLatencyWindow.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

class SlidingLatencyWindowTest {
    private static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    /** Starts at an arbitrary value, as {@code System.nanoTime()} does. */
    private final AtomicLong now = new AtomicLong(-7_654_321_000L);
    private final SlidingLatencyWindow window = new SlidingLatencyWindow(now::get);

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    private static long millis(double ms) {
        return (long) (ms * 1_000_000);
    }

    @Test
    void anEmptyWindowReportsNoRequestsAndNoLatencies() {
        advance(Duration.ofSeconds(42));

        Snapshot snapshot = window.snapshot(ONE_MINUTE);

        assertThat(snapshot.isEmpty()).isTrue();
        assertThat(snapshot.count()).isZero();
        assertThat(snapshot.ratePerSecond()).isZero();
        assertThat(snapshot.errorRatio()).isZero();
        assertThat(snapshot.p50Millis()).isZero();
        assertThat(snapshot.maxMillis()).isZero();
        assertThat(snapshot.window()).isEqualTo(ONE_MINUTE);
    }

    @Test
    void percentilesOfAUniformDistributionAreWithinOnePercent() {
        for (int ms = 1; ms <= 1000; ms++) {
            window.record(millis(ms));
        }

        Snapshot snapshot = window.snapshot(ONE_MINUTE);

        assertThat(snapshot.count()).isEqualTo(1000);
        assertThat(snapshot.p50Millis()).isCloseTo(500, withPercentage(1)).isGreaterThanOrEqualTo(500);
        assertThat(snapshot.p95Millis()).isCloseTo(950, withPercentage(1)).isGreaterThanOrEqualTo(950);
        assertThat(snapshot.p99Millis()).isCloseTo(990, withPercentage(1)).isGreaterThanOrEqualTo(990);
        assertThat(snapshot.p999Millis()).isCloseTo(999, withPercentage(1)).isGreaterThanOrEqualTo(999);
        assertThat(snapshot.maxMillis()).isCloseTo(1000, withPercentage(1)).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void aSlowTailShowsInTheHighPercentilesOnly() {
        for (int i = 0; i < 990; i++) {
            window.record(millis(2));
        }
        for (int i = 0; i < 10; i++) {
            window.record(millis(800));
        }

        Snapshot snapshot = window.snapshot(ONE_MINUTE);

        assertThat(snapshot.p50Millis()).isCloseTo(2, withPercentage(1));
        assertThat(snapshot.p95Millis()).isCloseTo(2, withPercentage(1));
        assertThat(snapshot.p99Millis()).isCloseTo(2, withPercentage(1));
        assertThat(snapshot.p999Millis()).isCloseTo(800, withPercentage(1));
        assertThat(snapshot.maxMillis()).isCloseTo(800, withPercentage(1));
    }

    @Test
    void subMillisecondLatenciesKeepMicrosecondResolution() {
        window.record(250_000);
        window.record(260_000);

        assertThat(window.snapshot(ONE_MINUTE).p50Millis()).isCloseTo(0.25, within(0.003));
        assertThat(window.snapshot(ONE_MINUTE).maxMillis()).isCloseTo(0.26, within(0.003));
    }

    @Test
    void slicesAreMergedAcrossTheWindow() {
        for (int slice = 0; slice < 6; slice++) {
            window.record(millis(10 * (slice + 1)));
            advance(Duration.ofSeconds(10));
        }
        advance(Duration.ofSeconds(-1)); // still inside the sixth slice

        Snapshot snapshot = window.snapshot(ONE_MINUTE);

        assertThat(snapshot.count()).isEqualTo(6);
        assertThat(snapshot.maxMillis()).isCloseTo(60, withPercentage(1));
        assertThat(snapshot.p50Millis()).isCloseTo(30, withPercentage(1));
    }

    @Test
    void aRequestLeavesTheOneMinuteWindowWhenItsSliceIsAMinuteOld() {
        window.record(millis(40));

        advance(Duration.ofSeconds(60).minusNanos(1));
        assertThat(window.snapshot(ONE_MINUTE).count()).isEqualTo(1);

        advance(Duration.ofNanos(1));
        assertThat(window.snapshot(ONE_MINUTE).count()).isZero();
        assertThat(window.snapshot(FIVE_MINUTES).count()).isEqualTo(1);
    }

    @Test
    void aRequestLeavesTheFiveMinuteWindowWhenItsSliceIsFiveMinutesOld() {
        window.record(millis(40));

        advance(Duration.ofMinutes(5).minusNanos(1));
        assertThat(window.snapshot(FIVE_MINUTES).count()).isEqualTo(1);

        advance(Duration.ofNanos(1));
        assertThat(window.snapshot(FIVE_MINUTES).count()).isZero();
    }

    @Test
    void windowsMoveInStepsOfOneSlice() {
        advance(Duration.ofSeconds(5)); // the middle of slice 0
        window.record(millis(40));

        advance(Duration.ofSeconds(54)); // 59 s: slice 5, the window is slices 0..5
        assertThat(window.snapshot(ONE_MINUTE).count()).isEqualTo(1);

        advance(Duration.ofSeconds(1)); // 60 s: slice 6, the window is slices 1..6, 55 s after the request
        assertThat(window.snapshot(ONE_MINUTE).count()).isZero();
    }

    @Test
    void aSliceReusedAfterAWholeRingHoldsOnlyNewRequests() {
        window.record(millis(900));
        advance(FIVE_MINUTES); // the same place in the ring, one lap later
        window.record(millis(3));

        Snapshot snapshot = window.snapshot(FIVE_MINUTES);

        assertThat(snapshot.count()).isEqualTo(1);
        assertThat(snapshot.maxMillis()).isCloseTo(3, withPercentage(1));
    }

    @Test
    void longIdlePeriodsLeaveNothingBehind() {
        window.record(millis(5), true);
        advance(Duration.ofHours(3));

        assertThat(window.snapshot(FIVE_MINUTES).isEmpty()).isTrue();
        window.record(millis(7));
        assertThat(window.snapshot(FIVE_MINUTES).count()).isEqualTo(1);
        assertThat(window.snapshot(FIVE_MINUTES).errors()).isZero();
    }

    @Test
    void rateIsRequestsOverTheTimeTheyCameFrom() {
        // 10 requests a second for two minutes
        for (int i = 0; i < 1200; i++) {
            window.record(millis(1));
            advance(Duration.ofMillis(100));
        }

        Snapshot lastMinute = window.snapshot(ONE_MINUTE);
        Snapshot lastFive = window.snapshot(FIVE_MINUTES);

        // at 120 s the one-minute window is slices 7..12: 50 s of whole slices and a slice just begun
        assertThat(lastMinute.covered()).isEqualTo(Duration.ofSeconds(50));
        assertThat(lastMinute.count()).isEqualTo(500);
        assertThat(lastMinute.ratePerSecond()).isCloseTo(10, within(0.01));
        // the five-minute window is only two minutes old
        assertThat(lastFive.covered()).isEqualTo(Duration.ofMinutes(2));
        assertThat(lastFive.count()).isEqualTo(1200);
        assertThat(lastFive.ratePerSecond()).isCloseTo(10, within(0.01));
    }

    @Test
    void aYoungWindowsRateIsOverAtLeastOneSecond() {
        for (int i = 0; i < 5; i++) {
            window.record(millis(1));
        }
        advance(Duration.ofMillis(100));

        assertThat(window.snapshot(ONE_MINUTE).ratePerSecond()).isEqualTo(5);
    }

    @Test
    void errorsAreCountedPerWindow() {
        window.record(millis(1), true);
        window.record(millis(1), false);
        advance(Duration.ofSeconds(90));
        window.record(millis(1), true);
        window.record(millis(1), false);
        window.record(millis(1), false);
        window.record(millis(1), false);

        Snapshot lastMinute = window.snapshot(ONE_MINUTE);
        Snapshot lastFive = window.snapshot(FIVE_MINUTES);

        assertThat(lastMinute.errors()).isEqualTo(1);
        assertThat(lastMinute.errorRatio()).isEqualTo(0.25);
        assertThat(lastFive.errors()).isEqualTo(2);
        assertThat(lastFive.errorRatio()).isCloseTo(2 / 6.0, within(1e-9));
    }

    @Test
    void negativeLatenciesCountAsZeroAndHugeOnesAsAnHour() {
        window.record(-5);
        window.record(Long.MAX_VALUE);

        Snapshot snapshot = window.snapshot(ONE_MINUTE);

        assertThat(snapshot.count()).isEqualTo(2);
        assertThat(snapshot.p50Millis()).isZero();
        assertThat(snapshot.maxMillis()).isCloseTo(3_600_000, withPercentage(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-10S", "PT7S", "PT15S", "PT5M10S", "PT10M"})
    void windowsThatAreNotWholeSlicesWithinTheRingAreRejected(String window) {
        assertThatThrownBy(() -> this.window.snapshot(Duration.parse(window)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window: " + window + " (expected: a multiple of PT10S up to PT5M)");
    }

    @Test
    void sliceAndLongestWindowAreValidated() {
        assertThatThrownBy(() -> new SlidingLatencyWindow(now::get, Duration.ZERO, FIVE_MINUTES))
                .hasMessage("slice: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new SlidingLatencyWindow(now::get, Duration.ofSeconds(7), ONE_MINUTE))
                .hasMessageStartingWith("longestWindow: PT1M (expected: a multiple of the slice PT7S");
    }

    @Test
    void customSlicesGiveFinerWindows() {
        SlidingLatencyWindow fine = new SlidingLatencyWindow(now::get, Duration.ofSeconds(1), Duration.ofSeconds(5));
        fine.record(millis(1));
        advance(Duration.ofSeconds(1));
        fine.record(millis(2));

        assertThat(fine.snapshot(Duration.ofSeconds(1)).count()).isEqualTo(1);
        assertThat(fine.snapshot(Duration.ofSeconds(5)).count()).isEqualTo(2);
    }

    @Test
    void compactionPacksFinishedSlicesWithoutChangingTheAnswer() {
        Random random = new Random(3);
        for (int slice = 0; slice < 30; slice++) {
            for (int i = 0; i < 2_000; i++) {
                window.record((long) (Math.abs(random.nextGaussian()) * 40_000_000) + 1_000_000, i % 50 == 0);
            }
            advance(Duration.ofSeconds(10));
        }
        advance(Duration.ofSeconds(-1));
        Snapshot before = window.snapshot(FIVE_MINUTES);
        long bytesBefore = window.footprintBytes();

        window.compact();

        assertThat(window.snapshot(FIVE_MINUTES)).isEqualTo(before);
        assertThat(window.footprintBytes()).isLessThan(bytesBefore / 4);
    }

    @Test
    void theCurrentAndPreviousSlicesStayWritableAfterCompaction() {
        window.record(millis(1));
        advance(Duration.ofSeconds(10));
        window.record(millis(2));

        window.compact();
        window.record(millis(3));

        assertThat(window.snapshot(ONE_MINUTE).count()).isEqualTo(3);
    }

    @Test
    void aRecordingAtATimeReadByTheCallerLandsInThatTimesSlice() {
        long start = now.get();
        advance(Duration.ofSeconds(70));

        window.record(millis(1), true, start + Duration.ofSeconds(15).toNanos()); // slice 1: out of the last minute
        window.record(millis(2), false, now.get());

        assertThat(window.snapshot(ONE_MINUTE).count()).isEqualTo(1);
        assertThat(window.snapshot(FIVE_MINUTES).count()).isEqualTo(2);
        assertThat(window.snapshot(FIVE_MINUTES).errors()).isEqualTo(1);
    }

    @Test
    void concurrentRecordersLoseNoRequests() throws InterruptedException {
        int threads = 8;
        int perThread = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            Thread recorder = new Thread(() -> {
                Random random = new Random(seed);
                awaitQuietly(start);
                for (int i = 0; i < perThread; i++) {
                    window.record(random.nextInt(1_000_000_000), i % 10 == 0);
                    if (i % 5_000 == 0) {
                        advance(Duration.ofMillis(500)); // slices roll while others record
                    }
                }
            });
            recorder.start();
            recorders.add(recorder);
        }
        start.countDown();
        for (Thread recorder : recorders) {
            recorder.join(TimeUnit.SECONDS.toMillis(30));
        }

        Snapshot snapshot = window.snapshot(FIVE_MINUTES);

        assertThat(snapshot.count()).isEqualTo((long) threads * perThread);
        assertThat(snapshot.errors()).isEqualTo((long) threads * perThread / 10);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
