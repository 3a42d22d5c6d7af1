package dev.rampart.core.admission;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Many keys' GCRA state in one bounded, thread-safe table, for limiting on one gateway instance: {@link #tryAcquire}
 * atomically reads, decides and stores.
 *
 * <p>Each key's TAT is one {@link AtomicLong} updated by a compare-and-set loop, so requests for one key never block
 * each other and two of them never both take the last place. A request for a key already in the table allocates
 * nothing but its {@link Gcra.Decision}.
 *
 * <p>The table holds at most {@code maxKeys} keys once quiet. When a new key takes it past that, keys are evicted
 * down to seven eighths of {@code maxKeys}, so a sweep runs once per {@code maxKeys / 8} new keys. The sweep evicts
 * the keys whose buckets are full again soonest (earliest TAT) first: those already full lose nothing, and among the
 * rest the ones used least lately and least heavily go first (for keys under one limit, an earlier TAT means older
 * use or less of it; a client refused over and over keeps its place). The ranking is exact in tables up to 1024 keys
 * and from a sample of 1024 beyond. While a sweep runs, other threads may add keys past {@code maxKeys}, but never
 * past twice {@code maxKeys} (plus one per thread): there they wait for the sweep.
 *
 * <p><b>An evicted key restarts with a full bucket</b>: when the table is too small for the keys active within one
 * period, a client whose key was evicted before its bucket refilled gets part of a burst again. Size {@code maxKeys}
 * for the keys active within one period.
 */
public final class GcraTable {
    /** A slot's TAT once evicted: never stored otherwise, since an allowed decision's newTat is never NO_TAT. */
    private static final long EVICTED = Gcra.NO_TAT;
    private static final int SAMPLE_SIZE = 1024;

    private final int maxKeys;
    private final int evictDownTo;
    private final long waitAbove;
    private final ConcurrentHashMap<String, Slot> slots;
    private final ReentrantLock eviction = new ReentrantLock();

    /** One key's TAT. */
    private static final class Slot extends AtomicLong {
        private static final long serialVersionUID = 1L;

        Slot(long tat) {
            super(tat);
        }
    }

    /** @param maxKeys keys held at most once no eviction is running, &ge; 1 */
    public GcraTable(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
        }
        this.maxKeys = maxKeys;
        this.evictDownTo = maxKeys - maxKeys / 8;
        this.waitAbove = 2L * maxKeys;
        this.slots = new ConcurrentHashMap<>(Math.min(maxKeys, 1 << 16));
    }

    /**
     * Decides one request for {@code key} under {@code limit} and, when it is allowed, stores the new state. A key may
     * be used with different limits over time (a reloaded config): its TAT carries over.
     */
    public Gcra.Decision tryAcquire(String key, Gcra limit, long nowNanos, int cost) {
        requireNonNull(key, "key");
        requireNonNull(limit, "limit");
        for (;;) {
            Slot slot = slots.get(key);
            if (slot == null) {
                Gcra.Decision decision = limit.decide(Gcra.NO_TAT, nowNanos, cost);
                if (!decision.allowed()) {
                    return decision; // refused even with a full bucket: nothing to remember
                }
                Slot fresh = new Slot(decision.newTat());
                if (slots.putIfAbsent(key, fresh) == null) {
                    evictIfFull(fresh);
                    return decision;
                }
                continue; // another thread added the key first: decide against its state
            }
            long tat = slot.get();
            if (tat == EVICTED) {
                slots.remove(key, slot); // help the sweep finish, then start the key afresh
                continue;
            }
            Gcra.Decision decision = limit.decide(tat, nowNanos, cost);
            if (!decision.allowed() || slot.compareAndSet(tat, decision.newTat())) {
                return decision;
            }
        }
    }

    /** What a request of cost 1 would get now, without taking anything. */
    public Gcra.Decision peek(String key, Gcra limit, long nowNanos) {
        requireNonNull(key, "key");
        requireNonNull(limit, "limit");
        Slot slot = slots.get(key);
        long tat = slot == null ? Gcra.NO_TAT : slot.get(); // EVICTED is NO_TAT: a full bucket, as it will be
        return limit.decide(tat, nowNanos, 1);
    }

    /** Keys currently held. */
    public int size() {
        return slots.size();
    }

    /** The most keys held once no eviction is running. */
    public int maxKeys() {
        return maxKeys;
    }

    private void evictIfFull(Slot justAdded) {
        // Re-checked after each sweep: a key added while this thread held the lock was left for it to evict.
        while (slots.size() > maxKeys) {
            if (!eviction.tryLock()) {
                if (slots.size() <= waitAbove) {
                    return; // the thread holding the lock re-checks after its sweep
                }
                eviction.lock();
            }
            try {
                if (slots.size() > maxKeys) {
                    evictSoonestFull(justAdded);
                }
            } finally {
                eviction.unlock();
            }
        }
    }

    /** Evicts about {@code size - evictDownTo} keys, the earliest TAT first; never {@code keep}. */
    private void evictSoonestFull(Slot keep) {
        int size = slots.size();
        int toEvict = size - evictDownTo;
        if (toEvict <= 0) {
            return;
        }
        long threshold = tatThreshold(size, toEvict, keep);
        int evicted = 0;
        for (Map.Entry<String, Slot> entry : slots.entrySet()) {
            Slot slot = entry.getValue();
            if (slot != keep && slot.get() < threshold && evict(entry.getKey(), slot)) {
                evicted++;
            }
        }
        // Ties at the threshold (keys full again at the same instant) go only as far as needed.
        for (Map.Entry<String, Slot> entry : slots.entrySet()) {
            if (evicted >= toEvict) {
                return;
            }
            Slot slot = entry.getValue();
            if (slot != keep && slot.get() == threshold && evict(entry.getKey(), slot)) {
                evicted++;
            }
        }
        // Every sampled key was used again meanwhile: evict any one, so that the caller's loop always progresses.
        for (Map.Entry<String, Slot> entry : slots.entrySet()) {
            if (evicted > 0) {
                return;
            }
            if (entry.getValue() != keep && evict(entry.getKey(), entry.getValue())) {
                evicted++;
            }
        }
    }

    /** The TAT below which about {@code toEvict} of {@code size} keys lie, from (a sample of) all but {@code keep}. */
    private long tatThreshold(int size, int toEvict, Slot keep) {
        int step = Math.max(1, size / SAMPLE_SIZE);
        long[] sample = new long[SAMPLE_SIZE];
        int sampled = 0;
        int index = 0;
        for (Slot slot : slots.values()) {
            if (slot != keep && index++ % step == 0) {
                sample[sampled++] = slot.get(); // an EVICTED slot ranks first, and is skipped by evict()
                if (sampled == sample.length) {
                    break;
                }
            }
        }
        if (sampled == 0) {
            return Long.MIN_VALUE;
        }
        Arrays.sort(sample, 0, sampled);
        long others = Math.max(1, size - 1);
        long rank = ((long) toEvict * sampled + others - 1) / others; // ceil: the toEvict-th smallest when exact
        return sample[(int) Math.min(sampled, Math.max(1, rank)) - 1];
    }

    private boolean evict(String key, Slot slot) {
        // Marked first, so that a request holding this slot fails its compare-and-set and starts the key afresh
        // instead of updating a slot no longer in the table.
        if (slot.getAndSet(EVICTED) == EVICTED) {
            return false;
        }
        slots.remove(key, slot);
        return true;
    }
}
