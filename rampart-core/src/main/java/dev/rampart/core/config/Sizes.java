package dev.rampart.core.config;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the byte-size syntax of the config file: a whole number, optionally followed by {@code B},
 * a binary unit ({@code KiB}, {@code MiB}, {@code GiB}: powers of 1024) or a decimal one ({@code KB}, {@code MB},
 * {@code GB}: powers of 1000).
 */
public final class Sizes {

    static final String SYNTAX = "a whole number of bytes, optionally with a unit (B, KiB, MiB, GiB, KB, MB, GB), "
            + "e.g. 512, 16KiB or 10MiB";

    private static final Pattern SIZE = Pattern.compile("([0-9]+)(B|KiB|MiB|GiB|KB|MB|GB)?");
    private static final long KIB = 1024;
    private static final long MIB = KIB * 1024;
    private static final long GIB = MIB * 1024;

    private Sizes() {
    }

    /**
     * Parses a non-negative size in bytes. Strict: units are case-sensitive, no fractions, no sign, no spaces.
     *
     * @throws IllegalArgumentException with a message {@code value (expected: …)}
     */
    public static long parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(ValidationMessage.of(text, SYNTAX));
        }
        long unit = m.group(2) == null ? 1 : unitBytes(m.group(2));
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            throw new IllegalArgumentException(ValidationMessage.of(text, SYNTAX));
        }
    }

    /** The shortest exact binary form, e.g. {@code 65536} → {@code 64KiB}, {@code 1000} → {@code 1000}. */
    public static String format(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(ValidationMessage.of(Long.toString(bytes), "a size of at least 0"));
        }
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return Long.toString(bytes);
    }

    private static long unitBytes(String unit) {
        return switch (unit) {
            case "B" -> 1;
            case "KiB" -> KIB;
            case "MiB" -> MIB;
            case "GiB" -> GIB;
            case "KB" -> 1000;
            case "MB" -> 1000_000;
            case "GB" -> 1000_000_000;
            default -> throw new AssertionError(unit);
        };
    }
}
