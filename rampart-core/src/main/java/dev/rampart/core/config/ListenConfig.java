package dev.rampart.core.config;

import java.time.Duration;

/**
 * The client-facing listener: where it binds and how it protects itself from slow or oversized clients.
 *
 * @param headerReadTimeout time a client may take to send a complete request head (slowloris guard)
 * @param keepAliveIdle     time an idle keep-alive connection is kept open between requests
 * @param maxHeaderSize     largest request head (request line + headers) accepted, in bytes; larger gets 431
 * @param drainTimeout      how long in-flight requests may run on shutdown before connections are closed
 */
public record ListenConfig(String host, int port, Duration headerReadTimeout, Duration keepAliveIdle,
                           long maxHeaderSize, Duration drainTimeout) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration MAX_HEADER_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_KEEP_ALIVE_IDLE = Duration.ofSeconds(60);
    public static final Duration MAX_KEEP_ALIVE_IDLE = Duration.ofMinutes(10);
    public static final long DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
    public static final long MAX_MAX_HEADER_SIZE = 64 * 1024;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration MAX_DRAIN_TIMEOUT = Duration.ofMinutes(5);

    public static ListenConfig defaults() {
        return new ListenConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_KEEP_ALIVE_IDLE,
                DEFAULT_MAX_HEADER_SIZE, DEFAULT_DRAIN_TIMEOUT);
    }
}
