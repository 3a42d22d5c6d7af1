package dev.rampart.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Redis server that holds the rate-limit state shared by several Rampart instances.
 *
 * @param url       {@code redis://host[:port][/db]} or {@code rediss://…} (TLS); may carry a password in its user
 *                  info, which {@link #toString()} and {@link #redactedUrl()} hide
 * @param timeout   bound on one Redis call; past it the route's {@code on-redis-failure} applies
 * @param instances how many Rampart instances share the limits; when Redis fails over to local state, each
 *                  instance allows its share of every limit (the limit divided by this)
 * @param keyPrefix prepended to every key Rampart writes, so that several deployments can share one Redis
 */
public record RedisStateConfig(URI url, Duration timeout, int instances, String keyPrefix) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(20);
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_INSTANCES = 1;
    public static final int MAX_INSTANCES = 1000;
    public static final String DEFAULT_KEY_PREFIX = "rampart:";

    private static final Pattern USER_INFO = Pattern.compile("//.*@");

    public RedisStateConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
    }

    /** Whether the connection uses TLS ({@code rediss://}). */
    public boolean tls() {
        return url.getScheme().equalsIgnoreCase("rediss");
    }

    /** The URL with any user info (which may hold a password) replaced by {@code ***}: safe to log. */
    public String redactedUrl() {
        return redact(url.toString());
    }

    /** {@code text} with the user info of the URL in it, if any, replaced by {@code ***}. */
    static String redact(String text) {
        return USER_INFO.matcher(text).replaceFirst("//***@");
    }

    @Override
    public String toString() {
        return "RedisStateConfig[url=" + redactedUrl() + ", timeout=" + Durations.format(timeout) + ", instances="
                + instances + ", keyPrefix=" + keyPrefix + "]";
    }
}
