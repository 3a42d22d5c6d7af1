package dev.rampart.gateway.logging;

/** Appends JSON string literals without a JSON library: the access log is written on the hot path. */
public final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** Appends {@code value} as a quoted JSON string, or {@code null} when it is null. */
    public static StringBuilder quote(StringBuilder out, CharSequence value) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        int n = value.length();
        int firstToEscape = 0;
        while (firstToEscape < n && !needsEscape(value.charAt(firstToEscape))) {
            firstToEscape++;
        }
        if (firstToEscape == n) {
            return out.append(value).append('"'); // the common case: one bulk copy
        }
        out.append(value, 0, firstToEscape);
        for (int i = firstToEscape; i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u2028', '\u2029' -> out.append(c == '\u2028' ? "\\u2028" : "\\u2029");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029';
    }

    /** Appends {@code ,"name":"value"}. */
    public static StringBuilder field(StringBuilder out, String name, CharSequence value) {
        out.append(",\"").append(name).append("\":");
        return quote(out, value);
    }

    /** Appends a duration in milliseconds with microsecond precision ({@code 12.345}) from nanoseconds. */
    public static StringBuilder millis(StringBuilder out, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        out.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            out.append('0');
        }
        if (frac < 10) {
            out.append('0');
        }
        return out.append(frac);
    }

    /** Appends {@code ,"name":value} for a number. */
    public static StringBuilder field(StringBuilder out, String name, long value) {
        return out.append(",\"").append(name).append("\":").append(value);
    }
}
