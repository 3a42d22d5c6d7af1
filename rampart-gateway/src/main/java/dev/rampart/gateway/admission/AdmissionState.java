package dev.rampart.gateway.admission;

import dev.rampart.core.admission.GcraTable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What admission remembers across requests and config reloads: local rate-limit cells, requests in flight per
 * client, and the Redis connection when limits are shared (null otherwise).
 */
public final class AdmissionState {
    /** Distinct keys kept locally; beyond, the least recently used start again with a full bucket. */
    static final int LOCAL_CELLS = 100_000;

    final GcraTable local = new GcraTable(LOCAL_CELLS);
    private final ConcurrentHashMap<String, AtomicInteger> inFlightByClient = new ConcurrentHashMap<>();
    private final RedisCells redis;

    public AdmissionState(RedisCells redis) {
        this.redis = redis;
    }

    /** Shared cells, or null when no Redis is configured. */
    public RedisCells redis() {
        return redis;
    }

    /** Takes a place among the requests in flight under {@code key}; false (and nothing taken) when it has {@code max}. */
    boolean enter(String key, int max) {
        boolean[] entered = {false};
        inFlightByClient.compute(key, (k, count) -> {
            AtomicInteger held = count == null ? new AtomicInteger() : count;
            if (held.get() < max) {
                held.incrementAndGet();
                entered[0] = true;
            }
            return held.get() == 0 ? null : held;
        });
        return entered[0];
    }

    /** Gives a place back; a key with nothing in flight is forgotten, so the table holds only callers now active. */
    void leave(String key) {
        inFlightByClient.computeIfPresent(key, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    public int inFlight(String client) {
        AtomicInteger count = inFlightByClient.get(client);
        return count == null ? 0 : count.get();
    }
}
