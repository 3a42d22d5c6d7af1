package dev.rampart.core.config;

/**
 * Where shared state lives: rate-limit cells, cache entries, idempotency records, pauses.
 *
 * @param redis            the Redis server shared by all instances; {@code null} = each instance keeps its own
 *                         state in memory
 * @param cacheMemory      bytes the in-process response cache may hold (least recently used evicted beyond)
 * @param idempotencyMemory bytes the in-process idempotency records may hold (all of them without Redis; those
 *                         written while Redis is away with it)
 */
public record StateConfig(RedisStateConfig redis, long cacheMemory, long idempotencyMemory) {
    public static final long DEFAULT_CACHE_MEMORY = 64L * 1024 * 1024;
    public static final long DEFAULT_IDEMPOTENCY_MEMORY = 64L * 1024 * 1024;
    public static final long MIN_MEMORY = 1024 * 1024;
    public static final long MAX_MEMORY = 64L * 1024 * 1024 * 1024;

    public StateConfig(RedisStateConfig redis) {
        this(redis, DEFAULT_CACHE_MEMORY, DEFAULT_IDEMPOTENCY_MEMORY);
    }

    /** State kept in memory by each instance, with the default bounds. */
    public static StateConfig none() {
        return new StateConfig(null);
    }
}
