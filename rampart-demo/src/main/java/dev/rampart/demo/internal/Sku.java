package dev.rampart.demo.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A product's stock-keeping unit. Every demo answer about a product is derived from it, so the same sku always gets
 * the same answer.
 */
record Sku(String value) {

    private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    Sku {
        Objects.requireNonNull(value, "value");
        if (!SKU.matcher(value).matches()) {
            throw InvalidInputException.of("sku", value, "1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    /** A stable 64-bit FNV-1a hash of the sku: the demo's stand-in for a product database. */
    long hash() {
        long hash = 0xcbf29ce484222325L;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** A number in {@code [0, bound)} drawn from the hash; different {@code salt}s give independent-looking numbers. */
    int pick(int salt, int bound) {
        long mixed = (hash() ^ (salt * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
        return (int) Long.remainderUnsigned(mixed ^ (mixed >>> 31), bound);
    }
}
