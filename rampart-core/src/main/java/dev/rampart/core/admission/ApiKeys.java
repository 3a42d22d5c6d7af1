package dev.rampart.core.admission;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * API keys stored as SHA-256 hashes: the config holds only hashes, and a presented key is hashed and looked up.
 *
 * <p>A map from hash to client is safe here: the hash is not secret, and timing differences in finding a hash tell
 * an attacker nothing useful about a key whose hash they cannot invert. Immutable and thread-safe.
 */
public final class ApiKeys {
    private static final HexFormat HEX = HexFormat.of();
    private static final int HEX_LENGTH = 64;

    private final Map<String, String> clientByHash;

    /**
     * @param hashesByClient configured client name to the hex SHA-256 hashes of its keys (upper or lower case)
     * @throws IllegalArgumentException when a hash is not 64 hex digits, or two clients share one
     */
    public ApiKeys(Map<String, List<String>> hashesByClient) {
        requireNonNull(hashesByClient, "hashesByClient");
        Map<String, String> byHash = new HashMap<>();
        hashesByClient.forEach((client, hashes) -> {
            requireNonNull(client, "client");
            requireNonNull(hashes, "hashes of " + client);
            for (String hash : hashes) {
                requireNonNull(hash, "hash of " + client);
                if (!validHash(hash)) {
                    throw new IllegalArgumentException(client + ": " + hash
                            + " (expected: a SHA-256 hash as 64 hex digits, such as the output of sha256sum)");
                }
                String normalized = hash.toLowerCase(Locale.ROOT);
                String other = byHash.putIfAbsent(normalized, client);
                if (other != null && !other.equals(client)) {
                    throw new IllegalArgumentException(client + ": " + hash
                            + " (expected: a key of this client only, but " + other + " has the same key)");
                }
            }
        });
        this.clientByHash = Map.copyOf(byHash);
    }

    /** Lower-case hex SHA-256 of the key's UTF-8 bytes. */
    public static String sha256Hex(String key) {
        requireNonNull(key, "key");
        return HEX.formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a string is a SHA-256 hash as 64 hex digits (for config validation). */
    public static boolean validHash(String hash) {
        requireNonNull(hash, "hash");
        if (hash.length() != HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < HEX_LENGTH; i++) {
            char c = hash.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** The client a presented key belongs to, or null when the key is unknown (or null). */
    public String clientFor(String presentedKey) {
        if (presentedKey == null) {
            return null;
        }
        return clientByHash.get(sha256Hex(presentedKey));
    }

    /** How many keys are configured, over all clients. */
    public int size() {
        return clientByHash.size();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
