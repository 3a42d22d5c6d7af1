package dev.rampart.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The response a route gives when its upstream is unavailable (unreachable, failing, too slow, circuit open, no
 * healthy endpoint).
 *
 * @param headers header names (lower-case) and values sent with it; may be empty
 * @param body    sent as it is, UTF-8 encoded; may be empty
 */
public record FallbackConfig(int status, Map<String, String> headers, String body) {
    public static final int DEFAULT_STATUS = 200;
    public static final long MAX_BODY_SIZE = 64 * 1024;

    public FallbackConfig {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers)); // keeps file order
        Objects.requireNonNull(body, "body");
    }
}
