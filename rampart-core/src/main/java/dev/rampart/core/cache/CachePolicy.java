package dev.rampart.core.cache;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether a response may be stored by a shared cache and for how long it is fresh (RFC 9111 §3, §4.2), with the
 * stale windows of RFC 5861. Pure: the caller passes the headers and the time.
 */
public final class CachePolicy {
    /** Statuses RFC 9110 §15.1 calls heuristically cacheable: only these get the route's TTL as a default. */
    private static final Set<Integer> HEURISTIC = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);
    /** Statuses stored at all. Errors from 5xx are never stored: stale-if-error answers for them instead. */
    private static final Set<Integer> STORABLE = Set.of(200, 203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414);

    private final Duration ttl;
    private final Duration staleWhileRevalidate;
    private final Duration staleIfError;

    /**
     * @param ttl                  freshness for responses that give none; null: such responses are not stored
     * @param staleWhileRevalidate the route's window, used unless the response has its own directive
     * @param staleIfError         the route's window, used unless the response has its own directive
     */
    public CachePolicy(Duration ttl, Duration staleWhileRevalidate, Duration staleIfError) {
        this.ttl = ttl;
        this.staleWhileRevalidate = java.util.Objects.requireNonNull(staleWhileRevalidate, "staleWhileRevalidate");
        this.staleIfError = java.util.Objects.requireNonNull(staleIfError, "staleIfError");
    }

    /**
     * How a response may be kept. {@code headers} returns every value of a header (lower-case name), or an empty
     * list.
     *
     * @param requestHadAuthorization whether the request carried {@code Authorization} (RFC 9111 §3.5)
     * @param nowMillis               when the response arrived
     */
    public Decision decide(int status, Function<String, List<String>> headers, boolean requestHadAuthorization,
                           long nowMillis) {
        if (!STORABLE.contains(status)) {
            return Decision.notStored("status " + status + " is not stored");
        }
        CacheControl cc = CacheControl.parse(headers.apply("cache-control"));
        if (cc.has("no-store")) {
            return Decision.notStored("no-store");
        }
        if (cc.has("private")) {
            return Decision.notStored("private");
        }
        if (cc.has("no-cache")) {
            return Decision.notStored("no-cache"); // stored copies would need revalidating on every use: not worth it
        }
        if (!headers.apply("set-cookie").isEmpty()) {
            return Decision.notStored("set-cookie"); // one user's session must never reach another
        }
        if (varyNames(headers.apply("vary")).contains("*")) {
            return Decision.notStored("vary *"); // it varies on things outside the request: it never matches
        }
        if (requestHadAuthorization && !cc.has("public") && cc.seconds("s-maxage") < 0
                && !cc.has("must-revalidate")) {
            return Decision.notStored("authorization");
        }
        long lifetime = freshnessSeconds(cc, headers, nowMillis);
        if (lifetime < 0) {
            if (ttl == null || !HEURISTIC.contains(status)) {
                return Decision.notStored("no freshness given and no ttl");
            }
            lifetime = ttl.toSeconds();
        }
        long swr = cc.seconds("stale-while-revalidate");
        long sie = cc.seconds("stale-if-error");
        boolean mustRevalidate = cc.has("must-revalidate") || cc.has("proxy-revalidate");
        long ageSeconds = ageSeconds(headers.apply("age"));
        return new Decision(true, null, lifetime, mustRevalidate ? 0 : swr >= 0 ? swr : staleWhileRevalidate.toSeconds(),
                mustRevalidate ? 0 : sie >= 0 ? sie : staleIfError.toSeconds(), ageSeconds);
    }

    /** s-maxage, then max-age, then Expires − Date (RFC 9111 §4.2.1); -1 when the response gives none. */
    static long freshnessSeconds(CacheControl cc, Function<String, List<String>> headers, long nowMillis) {
        long sMaxAge = cc.seconds("s-maxage");
        if (sMaxAge >= 0) {
            return sMaxAge;
        }
        long maxAge = cc.seconds("max-age");
        if (maxAge >= 0) {
            return maxAge;
        }
        List<String> expires = headers.apply("expires");
        if (!expires.isEmpty()) {
            long expiresAt = httpDateMillis(expires.get(0));
            if (expiresAt < 0) {
                return 0; // an invalid Expires means "already expired" (RFC 9111 §5.3)
            }
            List<String> date = headers.apply("date");
            long dateMillis = date.isEmpty() ? nowMillis : httpDateMillis(date.get(0));
            return Math.max(0, (expiresAt - (dateMillis < 0 ? nowMillis : dateMillis)) / 1000);
        }
        return -1;
    }

    /** An {@code Age}: its first member (RFC 9111 §5.1), capped like any delta-seconds; invalid ones are ignored. */
    private static long ageSeconds(List<String> values) {
        if (values.isEmpty()) {
            return 0;
        }
        String first = values.get(0);
        int comma = first.indexOf(',');
        CacheControl age = CacheControl.parse("age=" + (comma < 0 ? first : first.substring(0, comma)).trim());
        return Math.max(0, age.seconds("age"));
    }

    /** An HTTP-date in its preferred form (RFC 9110 §5.6.7) in epoch milliseconds; -1 when it does not parse. */
    public static long httpDateMillis(String text) {
        try {
            return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /**
     * Whether a request's {@code If-None-Match} matches an entity tag, by weak comparison (RFC 9110 §13.1.2).
     * {@code *} matches any stored response.
     */
    public static boolean noneMatch(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || etag == null) {
            return false;
        }
        String stored = weakless(etag.trim());
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || weakless(tag).equals(stored)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a stored response has not changed since the request's {@code If-Modified-Since}. */
    public static boolean notModifiedSince(String ifModifiedSince, String lastModified) {
        if (ifModifiedSince == null || lastModified == null) {
            return false;
        }
        long since = httpDateMillis(ifModifiedSince);
        long modified = httpDateMillis(lastModified);
        return since >= 0 && modified >= 0 && modified <= since;
    }

    private static String weakless(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /**
     * The query with its parameters in a stable order, so that {@code ?b=2&a=1} and {@code ?a=1&b=2} share an
     * entry; empty parameters ({@code &&}) are dropped. Values stay encoded as sent, and repeats of one parameter
     * keep their order (many upstreams read {@code sort=price&sort=name} as a priority). Empty for no query.
     */
    public static String normalizeQuery(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        String[] parts = query.split("&");
        java.util.Arrays.sort(parts, java.util.Comparator.comparing(CachePolicy::parameterName)); // stable
        StringBuilder out = new StringBuilder(query.length());
        for (String part : parts) {
            if (!part.isEmpty()) {
                out.append(out.length() == 0 ? "" : "&").append(part);
            }
        }
        return out.toString();
    }

    private static String parameterName(String part) {
        int equals = part.indexOf('=');
        return equals < 0 ? part : part.substring(0, equals);
    }

    /** The header names a response's {@code Vary} lists, lower-cased, in order, each once. */
    public static List<String> varyNames(List<String> varyValues) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (String value : varyValues) {
            for (String name : value.split(",")) {
                String trimmed = name.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    names.add(trimmed);
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * How a response may be kept.
     *
     * @param stored                 whether it may be stored at all
     * @param reason                 why not, when not
     * @param freshSeconds           its freshness lifetime
     * @param staleWhileRevalidate   seconds past freshness it is served while refreshed in the background
     * @param staleIfError           seconds past freshness it stands in for a failing upstream
     * @param ageAtArrivalSeconds    the age the upstream reported (its own {@code Age})
     */
    public record Decision(boolean stored, String reason, long freshSeconds, long staleWhileRevalidate,
                           long staleIfError, long ageAtArrivalSeconds) {
        static Decision notStored(String reason) {
            return new Decision(false, reason, 0, 0, 0, 0);
        }

        /** How long the entry is worth keeping: fresh, then usable stale. */
        public long keepSeconds() {
            // the stale windows start when it went stale, which for a response that arrived old was before it came
            return Math.max(0, freshSeconds - ageAtArrivalSeconds + Math.max(staleWhileRevalidate, staleIfError));
        }
    }
}
