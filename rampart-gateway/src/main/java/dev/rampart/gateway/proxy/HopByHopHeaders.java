package dev.rampart.gateway.proxy;

import io.vertx.core.MultiMap;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies headers between hops without the hop-by-hop ones (RFC 9110 §7.6.1), including those named by Connection. */
final class HopByHopHeaders {
    private static final Set<String> KEEP_ALIVE = Set.of("keep-alive");
    private static final Set<String> CLOSE = Set.of("close");
    private HopByHopHeaders() {
    }

    /** Copies {@code from} into {@code to}, skipping hop-by-hop headers and any in {@code alsoSkip} (lower case). */
    static void copy(MultiMap from, MultiMap to, Set<String> alsoSkip) {
        String connection = from.get("connection");
        Set<String> named = connection == null ? Set.of() : namedIn(connection);
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (isAlwaysHopByHop(name)) {
                continue;
            }
            if (isIn(alsoSkip, name) || isIn(named, name)) {
                continue;
            }
            to.add(name, header.getValue());
        }
    }

    /**
     * Whether {@code name} is one of {@code lowerCaseNames}, in any case, without allocating: clients send names in
     * mixed case, and lower-casing each to look it up cost a string per header per request.
     */
    static boolean isIn(Set<String> lowerCaseNames, String name) {
        for (String candidate : lowerCaseNames) {
            if (candidate.length() == name.length() && candidate.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a header is hop-by-hop by definition (RFC 9110 §7.6.1, plus the proxy ones), in any case, without
     * allocating: this runs for every header of every request and response. */
    static boolean isAlwaysHopByHop(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }

    private static Set<String> namedIn(String connection) {
        // nearly every message says just one of these: no need to split and collect
        if (connection.equalsIgnoreCase("keep-alive")) {
            return KEEP_ALIVE;
        }
        if (connection.equalsIgnoreCase("close")) {
            return CLOSE;
        }
        java.util.HashSet<String> names = new java.util.HashSet<>();
        for (String token : connection.split(",")) {
            String t = token.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                names.add(t);
            }
        }
        return names;
    }
}
