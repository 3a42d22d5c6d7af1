package dev.rampart.gateway.proxy;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Normalises a request path before routing, so that {@code /public/../admin} cannot slip past a route that only
 * matches {@code /admin}: dot segments are resolved, repeated slashes merged (as nginx does), and paths that climb
 * above the root, hide dot segments behind percent-encoding, or carry control characters are refused.
 */
final class RequestPaths {
    private RequestPaths() {
    }

    /** The normalised path, or null if the path is not acceptable. */
    static String normalize(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        boolean needsWork = false;
        for (int i = 0, n = path.length(); i < n; i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '\\') {
                return null;
            }
            if (c == '.' || c == '%' || (c == '/' && i + 1 < n && path.charAt(i + 1) == '/')) {
                needsWork = true;
            }
        }
        return needsWork ? resolve(path) : path;
    }

    private static String resolve(String path) {
        Deque<String> segments = new ArrayDeque<>();
        String[] parts = path.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            String segment = parts[i];
            String lower = segment.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("%2e") && lower.replace("%2e", ".").chars().allMatch(c -> c == '.')) {
                return null; // an encoded dot segment: nothing legitimate needs one
            }
            if (segment.isEmpty() && i < parts.length - 1) {
                continue; // "//" merges into "/"
            }
            if (segment.equals(".")) {
                if (i == parts.length - 1) {
                    segments.addLast("");
                }
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return null;
                }
                segments.removeLast();
                if (i == parts.length - 1) {
                    segments.addLast("");
                }
                continue;
            }
            segments.addLast(segment);
        }
        StringBuilder out = new StringBuilder(path.length());
        for (String segment : segments) {
            out.append('/').append(segment);
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
