package dev.rampart.core.idempotency;

import dev.rampart.core.config.IdempotencyConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Reading an {@code Idempotency-Key} and fingerprinting the request it came with. */
public final class IdempotencyKeys {
    private IdempotencyKeys() {
    }

    /**
     * The key in a header value: a Structured Fields string ({@code "…"}, as the IETF draft writes it) or, as Stripe
     * and most clients send it, the bare text. Null when it is empty, longer than
     * {@value IdempotencyConfig#MAX_KEY_LENGTH} characters, or holds anything but visible ASCII.
     */
    public static String parse(String headerValue) {
        if (headerValue == null) {
            return null;
        }
        String key = headerValue.trim();
        if (key.length() >= 2 && key.charAt(0) == '"' && key.charAt(key.length() - 1) == '"') {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > IdempotencyConfig.MAX_KEY_LENGTH) {
            return null;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                return null;
            }
        }
        return key;
    }

    /** A running SHA-256 of what makes two requests "the same" for a key: method, path, query, client and body. */
    public static final class Fingerprint {
        private final MessageDigest digest;

        public Fingerprint(String method, String path, String query, String client) {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JVM", e);
            }
            // each part is length-prefixed, so that moving bytes between parts changes the fingerprint
            part(method);
            part(path);
            part(query == null ? "" : query);
            part(client == null ? "" : client);
        }

        private void part(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(bytes);
        }

        public void body(byte[] chunk, int offset, int length) {
            digest.update(chunk, offset, length);
        }

        /** The fingerprint, hex; the object is used up. */
        public String finish() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
