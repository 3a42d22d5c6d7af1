package dev.rampart.demo.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A path such as {@code /prices/{sku}}: literal segments, {@code {name}} capturing one segment, and a last
 * {@code **} matching any rest, nothing included ({@code /echo/**} matches {@code /echo} and {@code /echo/a/b}).
 */
public record PathTemplate(String source, List<String> segments) {

    public PathTemplate {
        Objects.requireNonNull(source, "source");
        segments = List.copyOf(segments);
    }

    public static PathTemplate of(String source) {
        if (!source.startsWith("/")) {
            throw new IllegalArgumentException("template: " + source + " (expected: a path starting with /)");
        }
        List<String> segments = List.of(source.substring(1).split("/", -1));
        for (int i = 0; i < segments.size() - 1; i++) {
            if (segments.get(i).equals("**")) {
                throw new IllegalArgumentException("template: " + source + " (expected: ** only as the last segment)");
            }
        }
        return new PathTemplate(source, segments);
    }

    /** The captured segments by name if the path matches, else empty. */
    public Optional<Map<String, String>> match(String path) {
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        String[] parts = path.substring(1).split("/", -1);
        Map<String, String> captured = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.equals("**")) {
                return Optional.of(captured);
            }
            if (i >= parts.length) {
                return Optional.empty();
            }
            if (segment.startsWith("{") && segment.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return Optional.empty();
                }
                captured.put(segment.substring(1, segment.length() - 1), parts[i]);
            } else if (!segment.equals(parts[i])) {
                return Optional.empty();
            }
        }
        return parts.length == segments.size() ? Optional.of(captured) : Optional.empty();
    }
}
