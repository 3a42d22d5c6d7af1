package dev.rampart.core.config;

import java.time.Duration;

/**
 * Timeouts of one route's upstream call; all are always on (rule 3) and bounded by hard caps.
 *
 * @param connect   to open a connection to an upstream endpoint
 * @param firstByte from the request being sent to the upstream's response headers arriving
 * @param idle      longest pause between two body chunks, in either direction
 * @param total     the whole exchange, from the request's arrival to the last byte of the response
 */
public record TimeoutsConfig(Duration connect, Duration firstByte, Duration idle, Duration total) {
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FIRST_BYTE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TOTAL = Duration.ofSeconds(15);

    public static final Duration MAX_CONNECT = Duration.ofSeconds(30);
    public static final Duration MAX_FIRST_BYTE = Duration.ofMinutes(5);
    public static final Duration MAX_IDLE = Duration.ofMinutes(5);
    public static final Duration MAX_TOTAL = Duration.ofHours(1);

    public static TimeoutsConfig defaults() {
        return new TimeoutsConfig(DEFAULT_CONNECT, DEFAULT_FIRST_BYTE, DEFAULT_IDLE, DEFAULT_TOTAL);
    }
}
