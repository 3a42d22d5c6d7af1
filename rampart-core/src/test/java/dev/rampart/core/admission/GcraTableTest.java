package dev.rampart.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GcraTableTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final Gcra TEN_PER_SECOND_BURST_3 = new Gcra(10, SECOND, 3);

    interface Body {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads released at the same moment, and waits for all of them. */
    private static void concurrently(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Object>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Object> task = () -> {
                    start.await();
                    body.run(thread);
                    return null;
                };
                futures.add(pool.submit(task));
            }
            for (Future<Object> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tryAcquireStoresWhatItTakes() {
        GcraTable table = new GcraTable(100);

        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1).remaining()).isEqualTo(2);
        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1).remaining()).isEqualTo(1);
        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1).remaining()).isZero();
        Gcra.Decision refused = table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(TEN_PER_SECOND_BURST_3.emissionIntervalNanos());
        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, refused.retryAfterNanos(), 1).allowed()).isTrue();
    }

    @Test
    void keysAreLimitedIndependently() {
        GcraTable table = new GcraTable(100);
        for (int i = 0; i < 3; i++) {
            table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1);
        }

        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1).allowed()).isFalse();
        assertThat(table.tryAcquire("b", TEN_PER_SECOND_BURST_3, 0, 1).allowed()).isTrue();
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void peekTellsWhatARequestWouldGetWithoutTakingIt() {
        GcraTable table = new GcraTable(100);
        table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 2);

        Gcra.Decision peeked = table.peek("a", TEN_PER_SECOND_BURST_3, 0);

        assertThat(peeked.allowed()).isTrue();
        assertThat(peeked.remaining()).isZero();
        assertThat(table.peek("a", TEN_PER_SECOND_BURST_3, 0)).isEqualTo(peeked);
        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1)).isEqualTo(peeked);
        assertThat(table.peek("a", TEN_PER_SECOND_BURST_3, 0).allowed()).isFalse();
        assertThat(table.peek("unknown", TEN_PER_SECOND_BURST_3, 0).remaining()).isEqualTo(2);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aRequestRefusedEvenWithAFullBucketLeavesNoKeyBehind() {
        GcraTable table = new GcraTable(100);

        Gcra.Decision decision = table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 4);

        assertThat(decision.allowed()).isFalse();
        assertThat(table.size()).isZero();
    }

    @Test
    void threadsHammeringOneKeyNeverAdmitMoreThanTheBurst() throws Exception {
        Gcra limit = new Gcra(1000, SECOND, 500);
        GcraTable table = new GcraTable(10);
        AtomicInteger admitted = new AtomicInteger();

        concurrently(8, thread -> {
            for (int i = 0; i < 20_000; i++) {
                if (table.tryAcquire("hot", limit, 0, 1 + i % 2).allowed()) {
                    admitted.addAndGet(1 + i % 2);
                }
            }
        });

        // Every place is taken (costs of 1 fill any gap a cost of 2 leaves), and never one more.
        assertThat(admitted.get()).isEqualTo(500);
    }

    @Test
    void threadsRacingForTheLastPlacesOfManyKeysNeverTakeOneTooMany() throws Exception {
        Gcra limit = new Gcra(1000, SECOND, 5);
        int keys = 20_000;
        GcraTable table = new GcraTable(keys);
        AtomicIntegerArray admitted = new AtomicIntegerArray(keys);

        // All threads walk the keys in the same order, so they contend for each key's last places at once.
        concurrently(4, thread -> {
            for (int k = 0; k < keys; k++) {
                for (int attempt = 0; attempt < 4; attempt++) {
                    if (table.tryAcquire("k" + k, limit, 0, 1).allowed()) {
                        admitted.incrementAndGet(k);
                    }
                }
            }
        });

        for (int k = 0; k < keys; k++) {
            assertThat(admitted.get(k)).as("key %d", k).isEqualTo(5);
        }
    }

    @Test
    void threadsHammeringOneKeyAsTimePassesNeverAdmitMoreThanTheRate() throws Exception {
        Gcra limit = new Gcra(1000, SECOND, 50);
        long interval = limit.emissionIntervalNanos();
        GcraTable table = new GcraTable(10);
        AtomicLong clock = new AtomicLong();
        AtomicInteger admitted = new AtomicInteger();

        concurrently(8, thread -> {
            for (int i = 0; i < 50_000; i++) {
                // Each thread's reading may lag the latest, as event loops' clocks do.
                long now = clock.addAndGet(interval / 100) - (thread * interval / 10);
                if (table.tryAcquire("hot", limit, now, 1).allowed()) {
                    admitted.incrementAndGet();
                }
            }
        });

        long elapsed = clock.get();
        assertThat((long) admitted.get()).isLessThanOrEqualTo(50 + elapsed / interval + 1);
        assertThat((long) admitted.get()).isGreaterThan(elapsed / interval / 2);
    }

    @Test
    void sizeNeverExceedsMaxKeysWhenOneThreadAddsManyKeys() {
        GcraTable table = new GcraTable(1000);
        for (int i = 0; i < 100_000; i++) {
            table.tryAcquire("client-" + i, TEN_PER_SECOND_BURST_3, i, 1);
            assertThat(table.size()).isLessThanOrEqualTo(1000);
        }
        assertThat(table.size()).isGreaterThan(1000 - 1000 / 8 - 1);
    }

    @Test
    void sizeIsBoundedWhileManyThreadsAddKeysAndWithinMaxKeysOnceQuiet() throws Exception {
        int maxKeys = 2000;
        GcraTable table = new GcraTable(maxKeys);
        AtomicInteger largest = new AtomicInteger();

        concurrently(8, thread -> {
            for (int i = 0; i < 50_000; i++) {
                table.tryAcquire(thread + "/" + i, TEN_PER_SECOND_BURST_3, i, 1);
                if (i % 64 == 0) {
                    largest.accumulateAndGet(table.size(), Math::max);
                }
            }
        });

        assertThat(largest.get()).isLessThanOrEqualTo(2 * maxKeys + 8);
        assertThat(table.size()).isLessThanOrEqualTo(maxKeys);
    }

    @Test
    void keysWhoseBucketsAreFullSoonestAreEvictedFirst() {
        GcraTable table = new GcraTable(16);
        Gcra limit = new Gcra(1, SECOND, 100);
        for (int i = 0; i < 100; i++) {
            table.tryAcquire("heavy", limit, 0, 1); // bucket full again only in 100 s
        }
        for (int i = 0; i < 1000; i++) {
            table.tryAcquire("light-" + i, limit, i, 1); // one request each: full again within ~1 s
            assertThat(table.size()).isLessThanOrEqualTo(16);
        }

        assertThat(table.tryAcquire("heavy", limit, 1000, 1).allowed()).as("still remembered").isFalse();
        assertThat(table.peek("light-999", limit, 1000).remaining()).as("the newest key is kept").isEqualTo(98);
        assertThat(table.peek("light-0", limit, 1000).remaining()).as("an old light key is gone").isEqualTo(99);
    }

    @Test
    void amongKeysUnderOneLimitTheLeastRecentlyUsedAreEvictedFirst() {
        GcraTable table = new GcraTable(8);
        for (int i = 0; i < 8; i++) {
            table.tryAcquire("k" + i, TEN_PER_SECOND_BURST_3, i, 1);
        }
        table.tryAcquire("k0", TEN_PER_SECOND_BURST_3, 100, 1); // k0 used again, last of all

        table.tryAcquire("new", TEN_PER_SECOND_BURST_3, 101, 1);

        // Down to 7 of 8: the new key and k0 stay, k1 and k2 (the least recently used) go.
        assertThat(table.size()).isEqualTo(7);
        assertThat(table.peek("k0", TEN_PER_SECOND_BURST_3, 101).remaining()).isZero();
        assertThat(table.peek("new", TEN_PER_SECOND_BURST_3, 101).remaining()).isEqualTo(1);
        assertThat(table.peek("k1", TEN_PER_SECOND_BURST_3, 101).remaining()).isEqualTo(2);
        assertThat(table.peek("k2", TEN_PER_SECOND_BURST_3, 101).remaining()).isEqualTo(2);
        assertThat(table.peek("k3", TEN_PER_SECOND_BURST_3, 101).remaining()).isEqualTo(1);
    }

    @Test
    void anEvictedKeyRestartsWithAFullBucket() {
        GcraTable table = new GcraTable(1);
        for (int i = 0; i < 3; i++) {
            table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1);
        }
        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1).allowed()).isFalse();

        table.tryAcquire("b", TEN_PER_SECOND_BURST_3, 0, 1); // a's bucket fills later than b's, but b is the new key

        assertThat(table.size()).isEqualTo(1);
        assertThat(table.tryAcquire("a", TEN_PER_SECOND_BURST_3, 0, 1).remaining()).isEqualTo(2);
    }

    @Test
    void aHotKeyIsNeverOverAdmittedWhileOtherThreadsChurnTheTable() throws Exception {
        Gcra limit = new Gcra(1000, SECOND, 300);
        GcraTable table = new GcraTable(64);
        AtomicInteger admitted = new AtomicInteger();
        // Warmed first: a key that has taken more than one place is never among the soonest full.
        for (int i = 0; i < 100; i++) {
            table.tryAcquire("hot", limit, 0, 1);
        }
        admitted.set(100);

        concurrently(8, thread -> {
            for (int i = 0; i < 20_000; i++) {
                if (thread % 2 == 0) {
                    if (table.tryAcquire("hot", limit, 0, 1).allowed()) {
                        admitted.incrementAndGet();
                    }
                } else {
                    table.tryAcquire("churn-" + thread + "-" + i, limit, 0, 1);
                }
            }
        });

        assertThat(admitted.get()).isEqualTo(300);
        assertThat(table.size()).isLessThanOrEqualTo(64);
    }

    @Test
    void maxKeysMustBePositive() {
        assertThatThrownBy(() -> new GcraTable(0)).hasMessage("maxKeys: 0 (expected: >= 1)");
    }
}
