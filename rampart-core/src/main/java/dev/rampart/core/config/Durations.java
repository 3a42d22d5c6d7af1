package dev.rampart.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and writes the duration syntax of the config file: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 1h}. */
public final class Durations {

    static final String SYNTAX = "a number and a unit (ms, s, m or h) in whole milliseconds, e.g. 250ms, 1.5s or 2m";

    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

    private Durations() {
    }

    /**
     * Parses a non-negative duration. Strict: a unit is required, no sign, no spaces, no upper case, and the value
     * must be a whole number of milliseconds ({@code 1.5s} is fine, {@code 0.5ms} is not).
     *
     * @throws IllegalArgumentException with a message {@code value (expected: …)}
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(ValidationMessage.of(text, SYNTAX));
        }
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis(m.group(2))));
        try {
            return Duration.ofMillis(millis.longValueExact());
        } catch (ArithmeticException finerThanAMillisecondOrTooLarge) {
            throw new IllegalArgumentException(ValidationMessage.of(text, SYNTAX));
        }
    }

    /** The shortest exact form in the config syntax, e.g. {@code 90s} → {@code 90s}, {@code 3600s} → {@code 1h}. */
    public static String format(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    private static long unitMillis(String unit) {
        return switch (unit) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> throw new AssertionError(unit);
        };
    }
}
