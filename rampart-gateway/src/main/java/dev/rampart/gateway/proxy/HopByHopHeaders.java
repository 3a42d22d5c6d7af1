package dev.rampart.gateway.proxy;

import io.vertx.core.MultiMap;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies headers between hops without the hop-by-hop ones (RFC 9110 §7.6.1), including those named by Connection. */
final class HopByHopHeaders {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHopHeaders() {
    }

    /** Copies {@code from} into {@code to}, skipping hop-by-hop headers and any in {@code alsoSkip} (lower case). */
    static void copy(MultiMap from, MultiMap to, Set<String> alsoSkip) {
        String connection = from.get("connection");
        Set<String> named = connection == null ? Set.of() : namedIn(connection);
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (ALWAYS.contains(lower) || alsoSkip.contains(lower) || (!named.isEmpty() && named.contains(lower))) {
                continue;
            }
            to.add(name, header.getValue());
        }
    }

    private static Set<String> namedIn(String connection) {
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
