package dev.rampart.gateway.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formats epoch milliseconds as RFC 3339 UTC with milliseconds ({@code 2026-11-25T16:50:12.345Z}), cheaply. */
public final class Rfc3339 {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private record CachedSecond(long epochSecond, String text) {
    }

    private static volatile CachedSecond cached = new CachedSecond(Long.MIN_VALUE, "");

    private Rfc3339() {
    }

    public static StringBuilder append(StringBuilder out, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        CachedSecond c = cached;
        if (c.epochSecond != second) {
            c = new CachedSecond(second, SECONDS.format(Instant.ofEpochSecond(second)));
            cached = c;
        }
        out.append(c.text).append('.');
        if (millis < 100) {
            out.append('0');
        }
        if (millis < 10) {
            out.append('0');
        }
        return out.append(millis).append('Z');
    }

    public static String format(long epochMillis) {
        return append(new StringBuilder(24), epochMillis).toString();
    }
}
