package dev.rampart.demo.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict parser and printer of the demo's durations: a whole number followed by {@code ms} or {@code s}. */
public final class DurationText {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s)");

    private DurationText() {
    }

    /** Reads {@code 200ms} or {@code 2s}; anything else (spaces, signs, fractions, other units) is empty. */
    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        return Optional.of(m.group(2).equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount));
    }

    /** The shortest text that {@link #parse} reads back as the same duration: {@code 2s}, {@code 1500ms}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
