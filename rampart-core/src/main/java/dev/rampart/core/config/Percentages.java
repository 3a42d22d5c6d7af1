package dev.rampart.core.config;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the percentage syntax of the config file: {@code 20%}, {@code 99.9%}, from {@code 0%} to {@code 100%}. */
public final class Percentages {

    static final String SYNTAX = "a percentage from 0% to 100%, e.g. 20% or 99.9%";

    private static final Pattern PERCENTAGE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)%");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private Percentages() {
    }

    /**
     * Parses a percentage into a fraction: {@code 20%} → {@code 0.2}. Strict: the {@code %} is required, no sign,
     * no spaces, at most 100%.
     *
     * @throws IllegalArgumentException with a message {@code value (expected: …)}
     */
    public static double parse(String text) {
        return percent(text).movePointLeft(2).doubleValue();
    }

    /** Parses a percentage into the number written: {@code 20%} → {@code 20}. Same syntax as {@link #parse}. */
    static double parsePercent(String text) {
        return percent(text).doubleValue();
    }

    private static BigDecimal percent(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = PERCENTAGE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(ValidationMessage.of(text, SYNTAX));
        }
        BigDecimal percent = new BigDecimal(m.group(1));
        if (percent.compareTo(HUNDRED) > 0) {
            throw new IllegalArgumentException(ValidationMessage.of(text, SYNTAX));
        }
        return percent;
    }
}
