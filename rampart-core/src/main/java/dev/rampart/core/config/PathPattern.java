package dev.rampart.core.config;

/**
 * A route's path pattern: exact ({@code /healthz}), prefix ({@code prefix: /v1/}) or glob ({@code /v1/prices/*}).
 * In a glob, {@code *} matches within one segment and {@code **} matches across segments.
 */
public sealed interface PathPattern {

    boolean matches(String path);

    /** The pattern as written in the config. */
    String source();

    record Exact(String source) implements PathPattern {
        @Override
        public boolean matches(String path) {
            return source.equals(path);
        }
    }

    record Prefix(String source) implements PathPattern {
        @Override
        public boolean matches(String path) {
            return path.startsWith(source);
        }
    }

    record Glob(String source) implements PathPattern {
        @Override
        public boolean matches(String path) {
            return globMatches(source, 0, path, 0);
        }

        private static boolean globMatches(String pattern, int pi, String path, int si) {
            while (pi < pattern.length()) {
                char c = pattern.charAt(pi);
                if (c == '*') {
                    boolean crossSegments = pi + 1 < pattern.length() && pattern.charAt(pi + 1) == '*';
                    int next = crossSegments ? pi + 2 : pi + 1;
                    for (int end = si; end <= path.length(); end++) {
                        if (globMatches(pattern, next, path, end)) {
                            return true;
                        }
                        if (end < path.length() && path.charAt(end) == '/' && !crossSegments) {
                            return false;
                        }
                    }
                    return false;
                }
                if (si >= path.length() || path.charAt(si) != c) {
                    return false;
                }
                pi++;
                si++;
            }
            return si == path.length();
        }
    }
}
