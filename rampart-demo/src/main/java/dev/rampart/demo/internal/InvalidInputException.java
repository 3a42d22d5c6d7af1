package dev.rampart.demo.internal;

/** Input from a client that the demo cannot accept; answered with 400 and the message, which names the bad value. */
public final class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message, null, false, false); // an answer to a client, not a bug: no stack trace needed
    }

    public static InvalidInputException of(String name, Object value, String expected) {
        return new InvalidInputException(message(name, value, expected));
    }

    /** The project's one shape of a validation message: {@code name: value (expected: …)}. */
    public static String message(String name, Object value, String expected) {
        return name + ": " + value + " (expected: " + expected + ")";
    }
}
