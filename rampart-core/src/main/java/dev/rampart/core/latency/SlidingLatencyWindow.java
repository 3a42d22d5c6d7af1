package dev.rampart.core.latency;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Latency percentiles over the last minute(s): a ring of HdrHistograms, one per time slice (10 s by default), merged
 * when read. Any number of threads may record at once, without locks (an atomic histogram per slice); a slice that
 * has aged out of the ring is replaced by the first recording that needs its place.
 *
 * <p>Values are kept in microseconds to 2 significant digits (within 1 %), up to one hour; a reported percentile is
 * the upper bound of its bucket, so "p99 ≤ x" holds. Slices no request touched are never allocated. A slice being
 * written takes about 27 KiB; {@link #compact()}, called now and then off the request path, packs finished slices
 * into a few KiB each.
 */
public final class SlidingLatencyWindow {
    public static final Duration DEFAULT_SLICE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LONGEST_WINDOW = Duration.ofMinutes(5);

    private static final int SIGNIFICANT_DIGITS = 2;
    /** Longer latencies are recorded as one hour: a bound on the histogram's size, far above any timeout. */
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final LongSupplier nanoClock;
    private final long sliceNanos;
    private final int slices;
    private final long originNanos;
    private final AtomicReferenceArray<Slice> ring;
    /** The slice recorded into last: while it lasts, a recording needs no division and no ring lookup. */
    private volatile Slice current;

    /** 10 s slices, windows of up to 5 minutes. */
    public SlidingLatencyWindow(LongSupplier nanoClock) {
        this(nanoClock, DEFAULT_SLICE, DEFAULT_LONGEST_WINDOW);
    }

    /**
     * @param nanoClock     monotonic nanoseconds, e.g. {@code System::nanoTime}
     * @param slice         the granularity: a window's oldest edge moves in steps of this
     * @param longestWindow the longest window {@link #snapshot} will be asked for; a multiple of {@code slice}
     */
    public SlidingLatencyWindow(LongSupplier nanoClock, Duration slice, Duration longestWindow) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        Objects.requireNonNull(slice, "slice");
        Objects.requireNonNull(longestWindow, "longestWindow");
        if (slice.isNegative() || slice.isZero()) {
            throw new IllegalArgumentException("slice: " + slice + " (expected: > 0)");
        }
        this.sliceNanos = slice.toNanos();
        long count = longestWindow.toNanos() / sliceNanos;
        if (longestWindow.toNanos() % sliceNanos != 0 || count < 1 || count > 10_000) {
            throw new IllegalArgumentException("longestWindow: " + longestWindow
                    + " (expected: a multiple of the slice " + slice + ", at most 10000 slices)");
        }
        this.slices = (int) count;
        this.ring = new AtomicReferenceArray<>(slices);
        this.originNanos = nanoClock.getAsLong();
    }

    /** Records one request's latency. */
    public void record(long nanos) {
        record(nanos, false);
    }

    /** Records one request's latency, and whether it failed (for the window's error ratio). */
    public void record(long nanos, boolean error) {
        record(nanos, error, nanoClock.getAsLong());
    }

    /**
     * Records one request's latency at a time read from this window's clock already: for callers that record into
     * several windows at once (reading a clock is a good part of a recording's cost).
     */
    public void record(long nanos, boolean error, long nowNanos) {
        Slice slice = current;
        if (slice == null || nowNanos - slice.startNanos >= sliceNanos || nowNanos < slice.startNanos) {
            slice = sliceAt(sliceIndex(nowNanos));
            current = slice;
        }
        if (!slice.live) {
            return; // only a recorder stalled for over a slice gets here: its slice is packed, so the sample is dropped
        }
        slice.latencies.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos) / 1000));
        if (error) {
            slice.errors.increment();
        }
    }

    /**
     * Packs the slices that are no longer written to (all but the current one and the one before it, which may still
     * get a late recording) from about 27 KiB to a few KiB each. Takes up to a millisecond per slice: call it from a
     * background thread, e.g. once per slice; percentiles are the same before and after.
     */
    public void compact() {
        long current = sliceIndex(nanoClock.getAsLong());
        for (int position = 0; position < slices; position++) {
            Slice slice = ring.get(position);
            if (slice != null && slice.live && slice.index < current - 1) {
                ring.compareAndSet(position, slice, slice.packed());
            }
        }
    }

    /** Bytes held by the slices' histograms: for tests and capacity estimates. */
    long footprintBytes() {
        long bytes = 0;
        for (int position = 0; position < slices; position++) {
            Slice slice = ring.get(position);
            if (slice != null) {
                bytes += slice.latencies.getEstimatedFootprintInBytes();
            }
        }
        return bytes;
    }

    /**
     * What was recorded in the last {@code window}: the current (partial) slice and the whole slices before it.
     * Merges a histogram per slice, so call it when asked, not per request.
     *
     * @param window a multiple of the slice, at most the longest window
     */
    public Snapshot snapshot(Duration window) {
        Objects.requireNonNull(window, "window");
        long windowNanos = window.toNanos();
        if (windowNanos <= 0 || windowNanos % sliceNanos != 0 || windowNanos / sliceNanos > slices) {
            throw new IllegalArgumentException("window: " + window + " (expected: a multiple of "
                    + Duration.ofNanos(sliceNanos) + " up to " + Duration.ofNanos(sliceNanos * slices) + ")");
        }
        long now = nanoClock.getAsLong();
        long current = sliceIndex(now);
        long oldest = current - windowNanos / sliceNanos + 1;
        Histogram merged = new Histogram(SIGNIFICANT_DIGITS);
        long errors = 0;
        for (long index = oldest; index <= current; index++) {
            Slice slice = ring.get(position(index));
            if (slice != null && slice.index == index) {
                merged.add(slice.latencies);
                errors += slice.errors.sum();
            }
        }
        // the span these counts come from: not before this window existed, and the current slice only up to now
        long coveredNanos = Math.max(0, (now - originNanos) - Math.max(0, oldest * sliceNanos));
        return Snapshot.of(window, Duration.ofNanos(coveredNanos), merged, errors);
    }

    private long sliceIndex(long nanos) {
        return Math.floorDiv(nanos - originNanos, sliceNanos);
    }

    private int position(long index) {
        return (int) Math.floorMod(index, (long) slices);
    }

    private Slice sliceAt(long index) {
        int position = position(index);
        Slice slice = ring.get(position);
        while (slice == null || slice.index < index) {
            Slice fresh = Slice.live(index, originNanos + index * sliceNanos);
            if (ring.compareAndSet(position, slice, fresh)) {
                return fresh;
            }
            slice = ring.get(position);
        }
        // slice.index > index only for a recorder stalled for a whole ring: the newer slice is the least wrong place
        return slice;
    }

    /** One slice of time: its latencies and its error count; live while it may be written to, else packed. */
    private static final class Slice {
        final long index;
        final long startNanos;
        final AbstractHistogram latencies;
        final LongAdder errors;
        final boolean live;

        private Slice(long index, long startNanos, AbstractHistogram latencies, LongAdder errors, boolean live) {
            this.index = index;
            this.startNanos = startNanos;
            this.latencies = latencies;
            this.errors = errors;
            this.live = live;
        }

        static Slice live(long index, long startNanos) {
            return new Slice(index, startNanos, new AtomicHistogram(1, MAX_MICROS, SIGNIFICANT_DIGITS),
                    new LongAdder(), true);
        }

        /** A copy that takes memory in proportion to the buckets in use; never written to again. */
        Slice packed() {
            PackedHistogram packed = new PackedHistogram(SIGNIFICANT_DIGITS);
            packed.add(latencies);
            return new Slice(index, startNanos, packed, errors, false);
        }
    }

    /**
     * The requests of one window. Latencies are in milliseconds and are 0 when {@link #isEmpty()}.
     *
     * @param window        the window asked for
     * @param covered       the time the counts come from: shorter than the window while the window is young or while
     *                      its oldest slice is only partly inside it
     * @param count         requests finished in the window
     * @param errors        of which failed
     * @param ratePerSecond {@code count} over {@code covered} (at least one second)
     */
    public record Snapshot(Duration window, Duration covered, long count, long errors, double ratePerSecond,
                           double p50Millis, double p95Millis, double p99Millis, double p999Millis, double maxMillis) {

        static Snapshot of(Duration window, Duration covered, Histogram latencies, long errors) {
            long count = latencies.getTotalCount();
            if (count == 0) {
                return new Snapshot(window, covered, 0, 0, 0, 0, 0, 0, 0, 0);
            }
            double seconds = Math.max(1.0, covered.toNanos() / 1e9);
            return new Snapshot(window, covered, count, Math.min(errors, count), count / seconds,
                    millis(latencies.getValueAtPercentile(50)), millis(latencies.getValueAtPercentile(95)),
                    millis(latencies.getValueAtPercentile(99)), millis(latencies.getValueAtPercentile(99.9)),
                    millis(latencies.getMaxValue()));
        }

        private static double millis(long micros) {
            return micros / 1000.0;
        }

        public boolean isEmpty() {
            return count == 0;
        }

        /** Failed requests over all requests, 0 when there were none. */
        public double errorRatio() {
            return count == 0 ? 0 : (double) errors / count;
        }
    }
}
