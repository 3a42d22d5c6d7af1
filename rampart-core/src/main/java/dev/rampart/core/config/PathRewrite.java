package dev.rampart.core.config;

import java.util.regex.Pattern;

/** How a route changes the request path before it goes upstream. */
public sealed interface PathRewrite {

    String apply(String path);

    /**
     * Removes a leading prefix at a segment boundary: with {@code /v1}, {@code /v1/prices/42} goes up as
     * {@code /prices/42} and {@code /v1} as {@code /}, while {@code /v1beta/x} is left alone.
     */
    record StripPrefix(String prefix) implements PathRewrite {
        @Override
        public String apply(String path) {
            boolean atBoundary = path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
            if (!atBoundary) {
                return path;
            }
            String rest = path.substring(prefix.length());
            return rest.startsWith("/") ? rest : "/" + rest;
        }
    }

    /** Replaces the first match of a regular expression; {@code $1} in the replacement names a group. */
    record RegexRewrite(Pattern regex, String replacement) implements PathRewrite {
        @Override
        public String apply(String path) {
            String out = regex.matcher(path).replaceFirst(replacement);
            return out.startsWith("/") ? out : "/" + out;
        }
    }
}
