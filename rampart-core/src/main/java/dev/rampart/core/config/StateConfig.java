package dev.rampart.core.config;

/**
 * Where rate-limit state lives.
 *
 * @param redis the Redis server shared by all instances; {@code null} = each instance keeps its own state in memory
 */
public record StateConfig(RedisStateConfig redis) {

    /** State kept in memory by each instance. */
    public static StateConfig none() {
        return new StateConfig(null);
    }
}
