package dev.rampart.core.config;

import java.util.List;

/**
 * The per-request JSON access log.
 *
 * @param includeQuery  whether the query string is logged with the path (off by default: queries carry secrets)
 * @param secretHeaders header names, besides Authorization, Cookie and Set-Cookie, whose values never reach a log
 */
public record AccessLogConfig(boolean enabled, boolean includeQuery, List<String> secretHeaders) {
    public AccessLogConfig {
        secretHeaders = List.copyOf(secretHeaders);
    }

    public static AccessLogConfig defaults() {
        return new AccessLogConfig(true, false, List.of());
    }
}
