package dev.rampart.core.resilience;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Retry budget for one upstream: retries (and hedges) may add at most ratio x the requests sent to it, with a floor of
 * minRetriesPerSecond, counted over a sliding window (ring of 1-second buckets, or finer).
 *
 * <p>The window moves in steps of one bucket: buckets are aligned to multiples of {@link #bucketNanos()} on the
 * nanosecond clock, and what was counted in a bucket stops counting exactly one window after the bucket began. The
 * ratio is applied to a millionth ({@code 0.2} is exactly one retry per five requests, with no floating-point
 * rounding at the boundary).
 *
 * <p>Thread-safe. {@link #recordRequest} takes no lock and allocates nothing except a fresh bucket once per bucket
 * period: a {@link LongAdder} per bucket keeps event loops from contending on one counter. {@link #tryAcquireRetry}
 * and {@link #snapshot} hold a lock while they sum the ring (ten buckets for a 10 s window, 300 for 5 minutes), so
 * two retries never both take the last place in the budget; retries are rare next to requests.
 *
 * <p>Time that goes backwards (another event loop's slightly older clock reading) is treated as the latest time seen:
 * nothing already counted is lost, and a request older than the whole window is not counted.
 */
public final class RetryBudget {
    private static final long SECOND = 1_000_000_000L;
    private static final long MILLISECOND = 1_000_000L;
    private static final int MIN_BUCKETS = 10;
    private static final long PPM = 1_000_000L;
    private static final double MAX_RATIO = 1000;

    private final double ratio;
    private final int minRetriesPerSecond;
    private final long windowNanos;
    private final long bucketNanos;
    private final int buckets;
    /** The ratio in millionths, so that the comparison at the boundary is exact integer arithmetic. */
    private final long ratioPpm;
    /** The floor: retries always allowed in a window, minRetriesPerSecond x windowSeconds rounded up. */
    private final long floorRetries;
    private final AtomicReferenceArray<Bucket> ring;
    private final Object lock = new Object();

    /**
     * @param ratio               retries allowed per request, 0..1000 (0.2: one retry per five requests)
     * @param minRetriesPerSecond retries allowed per second of window whatever the traffic, &ge; 0
     * @param windowNanos         how far back requests and retries count: a whole number of milliseconds, &ge; 1 ms
     */
    public RetryBudget(double ratio, int minRetriesPerSecond, long windowNanos) {
        if (!(ratio >= 0 && ratio <= MAX_RATIO)) { // also rejects NaN
            throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0.." + (int) MAX_RATIO + ")");
        }
        if (minRetriesPerSecond < 0) {
            throw new IllegalArgumentException("minRetriesPerSecond: " + minRetriesPerSecond + " (expected: >= 0)");
        }
        if (windowNanos < MILLISECOND || windowNanos % MILLISECOND != 0) {
            throw new IllegalArgumentException(
                    "windowNanos: " + windowNanos + " (expected: a whole number of milliseconds, at least 1 ms)");
        }
        this.ratio = ratio;
        this.minRetriesPerSecond = minRetriesPerSecond;
        this.windowNanos = windowNanos;
        this.bucketNanos = bucketNanosFor(windowNanos);
        this.buckets = Math.toIntExact(windowNanos / bucketNanos);
        this.ratioPpm = Math.round(ratio * PPM);
        this.floorRetries = floorRetries(minRetriesPerSecond, windowNanos);
        this.ring = new AtomicReferenceArray<>(buckets);
    }

    /**
     * The window split into the fewest equal buckets of at most a second each, and at least ten: a 10 s window gets
     * ten 1 s buckets, 60 s sixty, 1.5 s ten of 150 ms. An odd window takes a few more buckets so that they divide it
     * exactly (at most 1.6 times as many for windows up to 11 days: a whole number of milliseconds has every 2^a 5^b
     * up to 10^6 as a divisor, and those are never more than 1.6 apart past 10).
     */
    static long bucketNanosFor(long windowNanos) {
        long count = Math.max(MIN_BUCKETS, windowNanos / SECOND + (windowNanos % SECOND == 0 ? 0 : 1));
        while (windowNanos % count != 0) {
            count++;
        }
        return windowNanos / count;
    }

    private static long floorRetries(int perSecond, long windowNanos) {
        long wholeSeconds = windowNanos / SECOND;
        long fraction = windowNanos % SECOND;
        long fromWhole = wholeSeconds > Long.MAX_VALUE / 2 / Math.max(1, perSecond)
                ? Long.MAX_VALUE / 2 : perSecond * wholeSeconds;
        // perSecond * fraction < 2^31 * 10^9 < 2^63: no overflow
        return fromWhole + (perSecond * fraction + SECOND - 1) / SECOND;
    }

    /**
     * Counts one original (first-attempt) request. Called for every request: no lock, and no allocation but one
     * bucket per bucket period.
     */
    public void recordRequest(long nowNanos) {
        Bucket bucket = bucket(Math.floorDiv(nowNanos, bucketNanos));
        if (bucket != null) {
            bucket.requests.increment();
        }
    }

    /**
     * True, and counts the retry, when retriesInWindow &lt; max(ratio * requestsInWindow, minRetriesPerSecond *
     * windowSeconds); false otherwise (and counts a suppressed retry).
     */
    public boolean tryAcquireRetry(long nowNanos) {
        synchronized (lock) {
            Bucket current = newestBucket(nowNanos);
            long requests = 0;
            long retries = 0;
            for (int i = 0; i < buckets; i++) {
                Bucket b = ring.get(i);
                if (b != null && b.index > current.index - buckets) {
                    requests += b.requests.sum();
                    retries += b.retries;
                }
            }
            if (retries < allowedRetries(requests)) {
                current.retries++;
                return true;
            }
            current.suppressed++;
            return false;
        }
    }

    /**
     * Counts a retry sent without asking the budget (a budget that only measures): the amplification stays true
     * and later {@link #tryAcquireRetry} calls see it.
     */
    public void recordRetry(long nowNanos) {
        synchronized (lock) {
            newestBucket(nowNanos).retries++;
        }
    }

    /** Retries allowed in a window that holds {@code requests}: max(ceil(ratio * requests), floor). */
    public long allowedRetries(long requests) {
        long byRatio;
        if (requests <= Long.MAX_VALUE / Math.max(1, ratioPpm)) {
            long millionths = requests * ratioPpm;
            byRatio = millionths / PPM + (millionths % PPM == 0 ? 0 : 1);
        } else {
            byRatio = (long) Math.ceil(ratio * requests); // past 10^13 requests a window, rounding is moot
        }
        return Math.max(byRatio, floorRetries);
    }

    /** Requests, retries and suppressed retries in the window that ends at {@code nowNanos}. */
    public Snapshot snapshot(long nowNanos) {
        synchronized (lock) {
            long newest = newestBucket(nowNanos).index;
            long requests = 0;
            long retries = 0;
            long suppressed = 0;
            for (int i = 0; i < buckets; i++) {
                Bucket b = ring.get(i);
                if (b != null && b.index > newest - buckets) {
                    requests += b.requests.sum();
                    retries += b.retries;
                    suppressed += b.suppressed;
                }
            }
            return new Snapshot(requests, retries, suppressed);
        }
    }

    /**
     * The bucket of {@code nowNanos}, or of the latest time seen if that is later: time never runs backwards here.
     * Creating it when missing makes the ring remember this time too. Called holding the lock.
     */
    private Bucket newestBucket(long nowNanos) {
        for (;;) {
            long newest = Math.floorDiv(nowNanos, bucketNanos);
            for (int i = 0; i < buckets; i++) {
                Bucket b = ring.get(i);
                if (b != null && b.index > newest) {
                    newest = b.index;
                }
            }
            Bucket bucket = bucket(newest);
            if (bucket != null) {
                return bucket;
            }
            // a request from further ahead took the slot meanwhile: look again
        }
    }

    /** The bucket for {@code index}, replacing the stale one in its slot; null when the slot already moved past it. */
    private Bucket bucket(long index) {
        int slot = (int) Math.floorMod(index, (long) buckets);
        for (;;) {
            Bucket b = ring.get(slot);
            if (b != null && b.index >= index) {
                // a newer bucket in this slot is at least a whole window ahead: this moment no longer counts
                return b.index == index ? b : null;
            }
            Bucket fresh = new Bucket(index);
            if (ring.compareAndSet(slot, b, fresh)) {
                return fresh;
            }
        }
    }

    public double ratio() {
        return ratio;
    }

    public int minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    public long windowNanos() {
        return windowNanos;
    }

    /** The step the window moves in: at most a second, at most a tenth of the window, and dividing it exactly. */
    public long bucketNanos() {
        return bucketNanos;
    }

    /** Retries admitted whatever the traffic: minRetriesPerSecond x window seconds, rounded up. */
    public long floorRetries() {
        return floorRetries;
    }

    @Override
    public String toString() {
        return "RetryBudget[ratio=" + ratio + ", minRetriesPerSecond=" + minRetriesPerSecond + ", windowNanos="
                + windowNanos + ']';
    }

    /** What one window counted. */
    public record Snapshot(long requests, long retries, long suppressed) {
        /** (requests + retries) / requests, 1.0 when no requests */
        public double amplification() {
            return requests == 0 ? 1.0 : (double) (requests + retries) / requests;
        }
    }

    private static final class Bucket {
        final long index;
        final LongAdder requests = new LongAdder();
        /** Guarded by the budget's lock. */
        long retries;
        long suppressed;

        Bucket(long index) {
            this.index = index;
        }
    }
}
