package dev.rampart.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Finds the key a user most likely meant when they wrote one that is not allowed: the "did you mean" of errors. */
final class KeySuggestion {

    private KeySuggestion() {
    }

    /**
     * The allowed key closest to {@code typed}: the same key in another case or word separator
     * ({@code maxBodySize}), else one within an edit distance of 2 (1 for keys of up to 3 letters; a swap of two
     * neighbours counts as one edit), else the only key (of 3 letters or more) that {@code typed} is a prefix of, or that is a prefix of it.
     */
    static Optional<String> closest(String typed, List<String> allowed) {
        String normal = normalize(typed);
        for (String key : allowed) {
            if (normalize(key).equals(normal)) {
                return Optional.of(key);
            }
        }
        int maxDistance = typed.length() <= 3 ? 1 : 2;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String key : allowed) {
            int distance = editDistance(typed.toLowerCase(Locale.ROOT), key);
            if (distance <= maxDistance && distance < bestDistance) {
                best = key;
                bestDistance = distance;
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        List<String> prefixed = allowed.stream()
                .filter(key -> Math.min(typed.length(), key.length()) >= 3
                        && (key.startsWith(typed) || typed.startsWith(key)))
                .toList();
        return prefixed.size() == 1 ? Optional.of(prefixed.get(0)) : Optional.empty();
    }

    private static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
