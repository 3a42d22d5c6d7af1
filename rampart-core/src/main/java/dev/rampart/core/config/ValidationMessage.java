package dev.rampart.core.config;

/** Builds the one shape every validation message has: {@code value (expected: …)}. */
final class ValidationMessage {

    /** Longer values, such as a fallback body, are cut in messages: the position already says where they are. */
    private static final int MAX_SHOWN = 100;

    private ValidationMessage() {
    }

    /**
     * The value as written (an empty string shows as {@code ""}, control characters escaped so that the message
     * stays on one line, a long value cut) followed by what would have been accepted.
     */
    static String of(String value, String expected) {
        return (value.isEmpty() ? "\"\"" : shown(value)) + " (expected: " + expected + ")";
    }

    private static String shown(String value) {
        StringBuilder out = new StringBuilder();
        int length = value.length() > MAX_SHOWN ? MAX_SHOWN - 40 : value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : c);
            }
        }
        return length == value.length() ? out.toString()
                : out.append("... (").append(value.length()).append(" characters)").toString();
    }
}
