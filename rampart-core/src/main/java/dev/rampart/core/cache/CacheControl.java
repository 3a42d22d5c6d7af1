package dev.rampart.core.cache;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The directives of {@code Cache-Control} header fields (RFC 9111 §5.2): names compared ignoring case, arguments as
 * tokens or quoted strings. A field that does not parse is kept as far as it does; a directive given twice keeps its
 * first value, and a malformed delta-seconds counts as absent (the caller then treats the response as having no
 * explicit freshness, the safe reading).
 */
public final class CacheControl {
    private static final CacheControl NONE = new CacheControl(Map.of());
    private final Map<String, String> directives;

    private CacheControl(Map<String, String> directives) {
        this.directives = directives;
    }

    /** The directives of every field value given (a header may appear several times); none when there is none. */
    public static CacheControl parse(List<String> fieldValues) {
        if (fieldValues == null || fieldValues.isEmpty()) {
            return NONE;
        }
        Map<String, String> directives = new HashMap<>();
        for (String value : fieldValues) {
            parseInto(value, directives);
        }
        return new CacheControl(directives);
    }

    public static CacheControl parse(String fieldValue) {
        return fieldValue == null ? NONE : parse(List.of(fieldValue));
    }

    private static void parseInto(String value, Map<String, String> out) {
        int i = 0;
        int n = value.length();
        while (i < n) {
            while (i < n && (value.charAt(i) == ',' || value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                i++;
            }
            int nameStart = i;
            while (i < n && value.charAt(i) != '=' && value.charAt(i) != ',') {
                i++;
            }
            String name = value.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
            String argument = "";
            if (i < n && value.charAt(i) == '=') {
                i++;
                if (i < n && value.charAt(i) == '"') {
                    StringBuilder quoted = new StringBuilder();
                    i++;
                    while (i < n && value.charAt(i) != '"') {
                        if (value.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        quoted.append(value.charAt(i++));
                    }
                    i++; // the closing quote
                    argument = quoted.toString();
                    while (i < n && value.charAt(i) != ',') {
                        i++;
                    }
                } else {
                    int argStart = i;
                    while (i < n && value.charAt(i) != ',') {
                        i++;
                    }
                    argument = value.substring(argStart, i).trim();
                }
            }
            if (!name.isEmpty()) {
                out.putIfAbsent(name, argument);
            }
        }
    }

    public boolean has(String directive) {
        return directives.containsKey(directive);
    }

    /**
     * The delta-seconds argument of {@code directive}; -1 when absent or malformed. Larger values are capped at
     * 2^31 - 1, as RFC 9111 §1.2.2 asks.
     */
    public long seconds(String directive) {
        String argument = directives.get(directive);
        if (argument == null || argument.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < argument.length(); i++) {
            if (argument.charAt(i) < '0' || argument.charAt(i) > '9') {
                return -1;
            }
        }
        String digits = argument.replaceFirst("^0+(?=.)", "");
        return digits.length() > 12 ? Integer.MAX_VALUE : Math.min(Long.parseLong(digits), Integer.MAX_VALUE);
    }

    /** Whether there is no directive at all. */
    public boolean isEmpty() {
        return directives.isEmpty();
    }
}
