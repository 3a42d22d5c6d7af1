package dev.rampart.gateway.proxy;

import dev.rampart.gateway.logging.JsonText;

/** The {@code Server-Timing} header a route may add to an upstream's answer: where the request's time went. */
final class ServerTiming {
    private ServerTiming() {
    }

    /** @param reported the attempt whose answer is sent, or null */
    static String header(Attempt reported, int attemptsStarted, long startNanos) {
        StringBuilder out = new StringBuilder(96);
        Attempt attempt = reported;
        if (attempt != null && attempt.acquiredNanos >= 0) {
            timing(out, "queue", attempt.queueNanos());
            timing(out, "connect", attempt.connectNanos());
            timing(out, "upstream", attempt.responseHeadNanos - attempt.acquiredNanos);
        }
        if (attemptsStarted > 1) {
            out.append(out.length() > 0 ? ", " : "").append("attempts;desc=").append(attemptsStarted);
        }
        timing(out, "total", System.nanoTime() - startNanos);
        return out.toString();
    }

    private static void timing(StringBuilder out, String name, long nanos) {
        if (out.length() > 0) {
            out.append(", ");
        }
        JsonText.millis(out.append(name).append(";dur="), nanos);
    }
}
