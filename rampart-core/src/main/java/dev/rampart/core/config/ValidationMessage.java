package dev.rampart.core.config;

/** Builds the one shape every validation message has: {@code value (expected: …)}. */
final class ValidationMessage {

    private ValidationMessage() {
    }

    /** The value as written (an empty string shows as {@code ""}) followed by what would have been accepted. */
    static String of(String value, String expected) {
        return (value.isEmpty() ? "\"\"" : value) + " (expected: " + expected + ")";
    }
}
