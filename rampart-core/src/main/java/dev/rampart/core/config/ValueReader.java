package dev.rampart.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads typed values out of {@link YamlNode}s. A value that is wrong becomes a {@link ConfigError} and reads as
 * {@code null}, so that the binder can go on and find the next mistake.
 */
final class ValueReader {

    /** The words and numbers people write to switch a timeout off, which Rampart does not allow (rule 3). */
    private static final Pattern DISABLED_TIMEOUT = Pattern.compile(
            "-.*|0+(\\.0+)?[a-z]*|off|none|no|false|null|disabled?|never|infinite|infinity|unlimited",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    /** An HTTP token (RFC 9110), which a header name is. */
    static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String HEADER_EXPECTED = "a header name, e.g. X-Api-Key";
    static final String PERCENTAGE_EXPECTED = "a percentage from 0% to 100%, e.g. 1% or 0.5%";

    private final ConfigErrors errors;

    ValueReader(ConfigErrors errors) {
        this.errors = errors;
    }

    /** Reports that {@code node} is not what was expected, in the {@code value (expected: …)} shape. */
    void reject(YamlNode node, String expected) {
        errors.at(node, ValidationMessage.of(node.describe(), expected));
    }

    /**
     * A mapping whose keys must be among {@code allowed} (each other key is reported, with a suggestion); an empty
     * value reads as an empty mapping, so a section whose keys are all commented out means "all defaults".
     */
    YamlNode.Mapping section(YamlNode node, List<String> allowed) {
        if (node instanceof YamlNode.Scalar scalar && scalar.isNull()) {
            return new YamlNode.Mapping(node.path(), node.line(), node.column(), Map.of());
        }
        YamlNode.Mapping mapping = mapping(node, "a mapping with keys " + String.join(", ", allowed));
        if (mapping != null) {
            for (YamlNode.Entry entry : mapping.entries().values()) {
                if (!allowed.contains(entry.key())) {
                    String suggestion = KeySuggestion.closest(entry.key(), allowed)
                            .map(key -> "did you mean '" + key + "'? ")
                            .orElse("");
                    errors.atKey(mapping, entry,
                            "unknown key (" + suggestion + "allowed: " + String.join(", ", allowed) + ")");
                }
            }
        }
        return mapping;
    }

    YamlNode.Mapping mapping(YamlNode node, String expected) {
        if (node instanceof YamlNode.Mapping mapping) {
            return mapping;
        }
        reject(node, expected);
        return null;
    }

    YamlNode.Sequence list(YamlNode node, String expected) {
        if (node instanceof YamlNode.Sequence sequence) {
            return sequence;
        }
        reject(node, expected);
        return null;
    }

    /** The value of a key that must be present, or {@code null} after reporting it missing. */
    YamlNode required(YamlNode.Mapping mapping, String key, String expected) {
        YamlNode node = mapping.get(key);
        if (node == null) {
            errors.add(mapping.line(), mapping.column(), mapping.childPath(key),
                    ValidationMessage.of("missing", expected));
        }
        return node;
    }

    /**
     * The value of whichever of two keys that exclude each other is present. Both are read, so that their own
     * mistakes are reported too; having both is an error at the one written further down.
     */
    <T> T eitherOf(YamlNode.Mapping mapping, String firstKey, Function<YamlNode, ? extends T> readFirst,
                   String secondKey, Function<YamlNode, ? extends T> readSecond) {
        YamlNode first = mapping.get(firstKey);
        YamlNode second = mapping.get(secondKey);
        T fromFirst = first == null ? null : readFirst.apply(first);
        T fromSecond = second == null ? null : readSecond.apply(second);
        if (first != null && second != null) {
            boolean secondIsLater = second.line() > first.line()
                    || second.line() == first.line() && second.column() > first.column();
            reject(secondIsLater ? second : first, "either " + firstKey + " or " + secondKey + ", not both");
            return null;
        }
        return fromFirst != null ? fromFirst : fromSecond;
    }

    /** The value of an optional key read by {@code read}; {@code fallback} when it is absent or wrong. */
    <T> T optional(YamlNode.Mapping mapping, String key, T fallback, Function<YamlNode, T> read) {
        YamlNode node = mapping.get(key);
        T value = node == null ? null : read.apply(node);
        return value == null ? fallback : value;
    }

    /** The text of a scalar that is not null; numbers and booleans read as written. */
    String text(YamlNode node, String expected) {
        if (node instanceof YamlNode.Scalar scalar && !scalar.isNull()) {
            return scalar.text();
        }
        reject(node, expected);
        return null;
    }

    String string(YamlNode node, Predicate<String> valid, String expected) {
        String text = text(node, expected);
        if (text != null && !valid.test(text)) {
            reject(node, expected);
            return null;
        }
        return text;
    }

    /** Either one value or a list of them, each read by {@code readItem}. */
    <T> List<T> oneOrMany(YamlNode node, Function<YamlNode, T> readItem, String expected) {
        if (node instanceof YamlNode.Mapping) {
            reject(node, expected);
            return null;
        }
        List<YamlNode> items = node instanceof YamlNode.Sequence sequence ? sequence.items() : List.of(node);
        List<T> values = new ArrayList<>();
        for (YamlNode item : items) {
            T value = readItem.apply(item);
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    Integer integer(YamlNode node, int min, int max, String what) {
        String expected = what + " from " + min + " to " + max;
        String text = text(node, expected);
        if (text == null) {
            return null;
        }
        if (!INTEGER.matcher(text).matches() || Long.parseLong(text) < min || Long.parseLong(text) > max) {
            reject(node, expected);
            return null;
        }
        return Integer.parseInt(text);
    }

    Integer port(YamlNode node) {
        return integer(node, 0, 65535, "a port (0 picks any free one)");
    }

    /** One of {@code choices}, written as its {@code name}. */
    <E extends Enum<E>> E choice(YamlNode node, E[] choices, Function<E, String> name) {
        String expected = oneOf(Arrays.stream(choices).map(name).toList());
        String text = text(node, expected);
        if (text == null) {
            return null;
        }
        for (E candidate : choices) {
            if (name.apply(candidate).equals(text)) {
                return candidate;
            }
        }
        reject(node, expected);
        return null;
    }

    /** {@code a}, {@code a or b}, {@code a, b or c}: the alternatives an error names. */
    static String oneOf(List<String> alternatives) {
        int last = alternatives.size() - 1;
        return last <= 0 ? String.join("", alternatives)
                : String.join(", ", alternatives.subList(0, last)) + " or " + alternatives.get(last);
    }

    /** A header name as a valid token, lower-cased as HTTP compares them. */
    String headerName(YamlNode node) {
        String name = string(node, TOKEN.asMatchPredicate(), HEADER_EXPECTED);
        return name == null ? null : name.toLowerCase(Locale.ROOT);
    }

    /**
     * A mapping of header names (lower-cased, each once, none of {@code reserved}) to values that
     * {@code validValue} accepts.
     */
    Map<String, String> headers(YamlNode node, List<String> reserved, Predicate<String> validValue,
                                String valueExpected) {
        YamlNode.Mapping m = mapping(node, "a mapping of header names to values");
        if (m == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (YamlNode.Entry entry : m.entries().values()) {
            String name = entry.key().toLowerCase(Locale.ROOT);
            if (!TOKEN.matcher(name).matches()) {
                errors.atKey(m, entry, ValidationMessage.of(entry.key(), HEADER_EXPECTED));
            } else if (headers.containsKey(name)) {
                errors.atKey(m, entry, ValidationMessage.of(entry.key(),
                        "each header once; names are compared ignoring case"));
            } else if (reserved.contains(name)) {
                errors.atKey(m, entry, ValidationMessage.of(entry.key(), "a header other than "
                        + oneOf(reserved) + ", which Rampart sets itself"));
            }
            String value = string(entry.value(), validValue, valueExpected);
            if (value != null) {
                headers.putIfAbsent(name, value);
            }
        }
        return headers;
    }

    Boolean bool(YamlNode node) {
        String text = string(node, t -> t.equals("true") || t.equals("false"), "true or false");
        return text == null ? null : Boolean.valueOf(text);
    }

    /** A timeout: always on, so zero, negative and "off"-like values are reported as an attempt to disable it. */
    Duration timeout(YamlNode node, Duration min, Duration max) {
        String expected = durationExpected(min, max);
        if (node instanceof YamlNode.Scalar scalar
                && (scalar.isNull() || DISABLED_TIMEOUT.matcher(scalar.text()).matches())) {
            reject(node, expected + "; timeouts cannot be disabled");
            return null;
        }
        return duration(node, min, max, expected);
    }

    /** A duration that is not a timeout: a delay, a window, a threshold. */
    Duration duration(YamlNode node, Duration min, Duration max) {
        return duration(node, min, max, durationExpected(min, max));
    }

    /** A duration from {@code min} to {@code max}; anything else is reported as not {@code expected}. */
    Duration duration(YamlNode node, Duration min, Duration max, String expected) {
        String text = text(node, expected);
        if (text == null) {
            return null;
        }
        Duration duration = parseOrNull(text, Durations::parse);
        if (duration == null || duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            reject(node, expected);
            return null;
        }
        return duration;
    }

    static String durationExpected(Duration min, Duration max) {
        return "a duration from " + Durations.format(min) + " to " + Durations.format(max)
                + (min.compareTo(Duration.ofMillis(250)) <= 0 ? ", e.g. 250ms or 2s" : ", e.g. 30s or 5m");
    }

    /** A percentage such as {@code 1%} or {@code 99.9%}, as a ratio from 0 to 1. */
    Double percentage(YamlNode node) {
        String text = text(node, PERCENTAGE_EXPECTED);
        if (text == null) {
            return null;
        }
        Double ratio = parseOrNull(text, Percentages::parse);
        if (ratio == null) {
            reject(node, PERCENTAGE_EXPECTED);
        }
        return ratio;
    }

    /** A percentage above 0% such as {@code 50%}, as the number written: 50, not 0.5. */
    Double percentAboveZero(YamlNode node) {
        String expected = "a percentage above 0% and at most 100%, e.g. 50%";
        String text = text(node, expected);
        if (text == null) {
            return null;
        }
        Double percent = parseOrNull(text, Percentages::parsePercent);
        if (percent == null || percent <= 0) {
            reject(node, expected);
            return null;
        }
        return percent;
    }

    Long size(YamlNode node, long min, long max) {
        String expected = "a size from " + Sizes.format(min) + " to " + Sizes.format(max)
                + " (units: B, KiB, MiB, GiB, KB, MB, GB)";
        String text = text(node, expected);
        if (text == null) {
            return null;
        }
        Long size = parseOrNull(text, Sizes::parse);
        if (size == null || size < min || size > max) {
            reject(node, expected);
            return null;
        }
        return size;
    }

    private static <T> T parseOrNull(String text, Function<String, T> parse) {
        try {
            return Objects.requireNonNull(parse.apply(text));
        } catch (IllegalArgumentException wrongSyntax) {
            return null; // the caller reports it with the allowed range, which says more than the syntax alone
        }
    }
}
