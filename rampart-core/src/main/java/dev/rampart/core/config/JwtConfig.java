package dev.rampart.core.config;

import dev.rampart.core.admission.JwtVerifier;
import java.util.Arrays;
import java.util.Objects;

/**
 * How the JWT a request carries is verified, so that its claims can key rate limits. Exactly one of
 * {@code hmacSecret} and {@code jwksJson} is set. The secret never appears in {@link #toString()}.
 *
 * @param header     the header carrying {@code Bearer <token>}, lower-cased
 * @param hmacSecret the HMAC key of HS256/HS384/HS512 tokens, at least {@link #MIN_HMAC_SECRET_BYTES} bytes;
 *                   {@code null} when keys come from a JWKS
 * @param jwksJson   the content of a JSON Web Key Set file (public keys); {@code null} when an HMAC secret is used
 * @param issuer     the {@code iss} a token must have; {@code null} = any
 * @param audience   an {@code aud} a token must have; {@code null} = any
 */
public record JwtConfig(String header, byte[] hmacSecret, String jwksJson, String issuer, String audience) {
    public static final String DEFAULT_HEADER = "authorization";
    /** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output, 256 bits for HS256. */
    public static final int MIN_HMAC_SECRET_BYTES = JwtVerifier.MIN_SECRET_BYTES;

    public JwtConfig {
        Objects.requireNonNull(header, "header");
        if ((hmacSecret == null) == (jwksJson == null)) {
            throw new IllegalArgumentException("exactly one of hmacSecret and jwksJson must be set");
        }
        hmacSecret = hmacSecret == null ? null : hmacSecret.clone();
    }

    /** A copy of the HMAC key, or {@code null} when keys come from a JWKS. */
    @Override
    public byte[] hmacSecret() {
        return hmacSecret == null ? null : hmacSecret.clone();
    }

    /** Compares the secret by content, so that a reloaded config with the same secret is equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof JwtConfig that
                && header.equals(that.header)
                && Arrays.equals(hmacSecret, that.hmacSecret)
                && Objects.equals(jwksJson, that.jwksJson)
                && Objects.equals(issuer, that.issuer)
                && Objects.equals(audience, that.audience);
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, Arrays.hashCode(hmacSecret), jwksJson, issuer, audience);
    }

    /** Names the key source without the secret (or the JWKS, which is long). */
    @Override
    public String toString() {
        String keys = hmacSecret != null ? "hmacSecret=(" + hmacSecret.length + " bytes, hidden)"
                : "jwksJson=(" + jwksJson.length() + " characters)";
        return "JwtConfig[header=" + header + ", " + keys + ", issuer=" + issuer + ", audience=" + audience + "]";
    }
}
