package dev.rampart.core.config;

import java.time.Duration;

/**
 * A route's total timeout, as the bound other durations of the route must fit in.
 *
 * @param byDefault whether the total is the default rather than written, which the error says
 */
record TotalTimeout(Duration value, boolean byDefault) {

    /** Reports {@code node} when {@code part}, written there, is longer than the total. */
    void checkFits(ValueReader values, YamlNode node, Duration part) {
        if (part.compareTo(value) > 0) {
            values.reject(node, "at most " + describe());
        }
    }

    /** E.g. {@code the total timeout (15s by default)}. */
    String describe() {
        return "the total timeout (" + Durations.format(value) + (byDefault ? " by default" : "") + ")";
    }
}
