package dev.rampart.core.config;

import java.util.List;
import java.util.Objects;

/**
 * How a request's client, address and JWT claims are found.
 *
 * @param apiKeyHeader   the header carrying a client's API key, lower-cased
 * @param hideApiKey     whether that header is kept from upstreams (read here, never forwarded), so that neither
 *                       they nor their logs see a client's secret
 * @param trustedProxies addresses and CIDR ranges of proxies whose {@code X-Forwarded-For} is believed when the
 *                       client address is determined; empty = the connection's address is the client's
 * @param jwt            how bearer tokens are verified; {@code null} = JWTs are not read
 */
public record IdentityConfig(String apiKeyHeader, boolean hideApiKey, List<String> trustedProxies, JwtConfig jwt) {
    public static final String DEFAULT_API_KEY_HEADER = "x-api-key";

    public IdentityConfig {
        Objects.requireNonNull(apiKeyHeader, "apiKeyHeader");
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** API keys in {@code X-Api-Key} (forwarded upstream), no trusted proxy, no JWT. */
    public static IdentityConfig defaults() {
        return new IdentityConfig(DEFAULT_API_KEY_HEADER, false, List.of(), null);
    }
}
