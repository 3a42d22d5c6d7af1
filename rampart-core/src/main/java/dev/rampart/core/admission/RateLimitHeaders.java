package dev.rampart.core.admission;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The IETF draft-ietf-httpapi-ratelimit-headers (09/10) fields: {@code RateLimit-Policy: "name";q=100;w=60} and
 * {@code RateLimit: "name";r=42;t=17}, each a Structured Fields List (RFC 9651) whose items are sf-strings (quoted,
 * with {@code "} and {@code \} escaped) with integer parameters.
 *
 * <p>Integers are clamped to what an sf-integer can hold (0..999,999,999,999,999): a field is always well formed.
 * A name must be printable ASCII, as an sf-string requires; check it with {@link #validName} when the config is read.
 */
public final class RateLimitHeaders {
    private static final long MAX_SF_INTEGER = 999_999_999_999_999L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RateLimitHeaders() {
    }

    /**
     * One policy item: q = quota (the limit's count), w = window in whole seconds (ceil of the period).
     *
     * @throws IllegalArgumentException when the name is not printable ASCII, or a number is negative
     */
    public static String policy(String name, long quota, long windowSeconds) {
        requireNonNegative("quota", quota);
        requireNonNegative("windowSeconds", windowSeconds);
        return item(name, ";q=", quota, ";w=", windowSeconds);
    }

    /** The policy item of a GCRA limit: its count per its period in whole seconds, rounded up. */
    public static String policy(String name, Gcra limit) {
        return policy(name, limit.count(), ceilSeconds(limit.periodNanos()));
    }

    /**
     * One current-state item: r = remaining, t = seconds until reset; a negative number is written as 0.
     *
     * @throws IllegalArgumentException when the name is not printable ASCII
     */
    public static String current(String name, long remaining, long resetSeconds) {
        return item(name, ";r=", Math.max(0, remaining), ";t=", Math.max(0, resetSeconds));
    }

    /** The current-state item after a GCRA decision: what remains, and the seconds until the bucket is full (ceil). */
    public static String current(String name, Gcra.Decision decision) {
        return current(name, decision.remaining(), ceilSeconds(decision.resetNanos()));
    }

    /** Joins items into one field value with ", " (an empty list gives "": send no field then). */
    public static String list(List<String> items) {
        requireNonNull(items, "items");
        return String.join(", ", items);
    }

    /** Whole seconds in a duration, rounded up (for w, t and Retry-After); 0 for 0 or less. */
    public static long ceilSeconds(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return (nanos - 1) / NANOS_PER_SECOND + 1;
    }

    /** Whether a name can be written as an sf-string: printable ASCII (space to tilde) only. */
    public static boolean validName(String name) {
        requireNonNull(name, "name");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String item(String name, String firstKey, long first, String secondKey, long second) {
        requireNonNull(name, "name");
        StringBuilder out = new StringBuilder(name.length() + 32).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(
                        "name: " + name + " (expected: printable ASCII only, as a structured-field string)");
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"')
                .append(firstKey).append(Math.min(first, MAX_SF_INTEGER))
                .append(secondKey).append(Math.min(second, MAX_SF_INTEGER))
                .toString();
    }

    private static void requireNonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0)");
        }
    }
}
