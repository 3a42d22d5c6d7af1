package dev.rampart.demo.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/** Time added before a demo service answers: fixed ({@code min == max}) or drawn uniformly from {@code [min, max]}. */
public record Latency(Duration min, Duration max) {

    /** The longest latency accepted, so that a typo cannot park a request for days. */
    public static final Duration MAX = Duration.ofSeconds(600);

    static final String EXPECTED = "a duration such as 200ms or 2s, or a range low..high such as 50ms..500ms, at most "
            + DurationText.format(MAX);

    public Latency {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.compareTo(max) > 0 || max.compareTo(MAX) > 0) {
            throw InvalidInputException.of("latency", min + ".." + max, EXPECTED);
        }
    }

    /** Parses {@code 200ms} or {@code 50ms..500ms}. */
    public static Latency parse(String text) {
        int dots = text.indexOf("..");
        Optional<Duration> min = DurationText.parse(dots < 0 ? text : text.substring(0, dots));
        Optional<Duration> max = dots < 0 ? min : DurationText.parse(text.substring(dots + 2));
        if (min.isEmpty() || max.isEmpty() || min.get().compareTo(max.get()) > 0 || max.get().compareTo(MAX) > 0) {
            throw InvalidInputException.of("latency", text, EXPECTED);
        }
        return new Latency(min.get(), max.get());
    }

    /** The delay for one request, in milliseconds; {@code random} returns values in {@code [0, 1)}. */
    public long pickMillis(DoubleSupplier random) {
        long lo = min.toMillis();
        long span = max.toMillis() - lo;
        return span == 0 ? lo : lo + Math.min(span, (long) (random.getAsDouble() * (span + 1)));
    }

    /** The text {@link #parse} reads back as this latency. */
    @Override
    public String toString() {
        return min.equals(max) ? DurationText.format(min) : DurationText.format(min) + ".." + DurationText.format(max);
    }
}
