package dev.rampart.core.config;

import java.util.Objects;

/**
 * What a rate limit counts requests by: each distinct value gets its own bucket.
 *
 * @param kind the part of the request the value comes from
 * @param name the header name (lower-cased) for {@link Kind#HEADER}, the claim name for {@link Kind#JWT_CLAIM};
 *             {@code null} for the other kinds
 */
public record RateLimitKey(Kind kind, String name) {

    public RateLimitKey {
        Objects.requireNonNull(kind, "kind");
        if ((name != null) != kind.named()) {
            throw new IllegalArgumentException("kind " + kind + (kind.named() ? " needs" : " takes no") + " name");
        }
    }

    public static RateLimitKey client() {
        return new RateLimitKey(Kind.CLIENT, null);
    }

    /** As written in the config: {@code client}, {@code ip}, {@code header:x-tenant}, {@code jwt:sub}, … */
    public String configName() {
        return name == null ? kind.configName() : kind.configName() + ":" + name;
    }

    /** Whether every request has a value for this key, so that no request falls into the unidentified bucket. */
    public boolean alwaysKnown() {
        return kind == Kind.IP || kind == Kind.ROUTE;
    }

    /** The parts of a request a rate limit can count by. */
    public enum Kind {
        /** The client identified by its API key. */
        CLIENT("client"),
        /** The value of a request header. */
        HEADER("header"),
        /** The client address (through the trusted proxies). */
        IP("ip"),
        /** A claim of the request's verified JWT. */
        JWT_CLAIM("jwt"),
        /** The route: one bucket for all of the route's requests. */
        ROUTE("route");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Whether the key names a header or a claim after the kind, as in {@code header:x-tenant}. */
        public boolean named() {
            return this == HEADER || this == JWT_CLAIM;
        }
    }
}
