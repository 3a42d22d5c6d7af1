package dev.rampart.core.admission;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a compact JWS (JWT) and returns its claims: HS256/HS384/HS512 with a shared secret, or
 * RS256/RS384/RS512/PS256/PS384/PS512/ES256/ES384 with public keys from a JWKS document (by {@code kid}, or the only
 * key when the token has no kid).
 *
 * <p>Checks {@code exp} and {@code nbf} when present, allowing {@value #CLOCK_SKEW_SECONDS} s of clock skew, and,
 * when configured, {@code iss} (equal) and {@code aud} (equal, or one of a list). Rejects alg {@code none}, any
 * algorithm of the other kind than the verifier's (an HS token against JWKS keys, an RS token against a secret), a
 * key whose type, curve or declared alg does not match the token's alg, oversized tokens (over
 * {@value #MAX_TOKEN_LENGTH} characters), {@code crit} headers, duplicate JSON members, and malformed base64url or
 * JSON. Keys named in the token itself ({@code jwk}, {@code jku}, {@code x5c}, {@code x5u}) are never used. The
 * signature is checked before the payload is parsed.
 *
 * <p>{@link #verify} returns a reason instead of throwing; the reason is short, fixed text that never repeats what
 * the token said, so it is safe to log. Immutable and thread-safe.
 */
public final class JwtVerifier {
    /** Allowed difference between the issuer's clock and ours when checking exp and nbf. */
    public static final long CLOCK_SKEW_SECONDS = 30;
    /** The longest token accepted, in characters. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;
    /** The shortest HMAC secret accepted: RFC 7518 requires a key as long as the hash (256 bits for HS256). */
    public static final int MIN_SECRET_BYTES = 32;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<Map<String, Object>> CLAIMS = new TypeReference<>() {
    };

    private final byte[] secret; // null for a JWKS verifier
    private final List<VerificationKey> keys; // empty for an HMAC verifier
    private final Map<String, VerificationKey> keysById;
    private final String issuer;
    private final String audience;

    private JwtVerifier(byte[] secret, List<VerificationKey> keys, String issuer, String audience) {
        this.secret = secret;
        this.keys = List.copyOf(keys);
        Map<String, VerificationKey> byId = new HashMap<>();
        for (VerificationKey key : keys) {
            if (key.kid() != null) {
                byId.put(key.kid(), key);
            }
        }
        this.keysById = Map.copyOf(byId);
        this.issuer = issuer;
        this.audience = audience;
    }

    /**
     * A verifier of HS256/HS384/HS512 tokens signed with {@code secret}.
     *
     * @param secret   the shared secret, at least {@value #MIN_SECRET_BYTES} bytes
     * @param issuer   the required {@code iss}, or null for any
     * @param audience the required {@code aud} (one of it when a list), or null for any
     */
    public static JwtVerifier hmac(byte[] secret, String issuer, String audience) {
        requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret: " + secret.length + " bytes (expected: at least "
                    + MIN_SECRET_BYTES + " bytes, as long as the HMAC hash; a short secret can be guessed offline)");
        }
        return new JwtVerifier(secret.clone(), List.of(), issuer, audience);
    }

    /**
     * A verifier of RS/PS/ES tokens signed by a key of a JWKS document. Keys that cannot verify signatures ({@code use}
     * other than {@code sig}, {@code key_ops} without {@code verify}) and key types or curves not supported here (oct,
     * OKP, P-521) are skipped.
     *
     * @param issuer   the required {@code iss}, or null for any
     * @param audience the required {@code aud} (one of it when a list), or null for any
     * @throws IllegalArgumentException for a document that is not a JWKS, a malformed or private key, an RSA key under
     *                                  2048 bits, a kid used twice, or no usable key at all
     */
    public static JwtVerifier jwks(String jwksJson, String issuer, String audience) {
        requireNonNull(jwksJson, "jwksJson");
        JsonNode root;
        try {
            root = JSON.readTree(jwksJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("jwks: not JSON (expected: a JWKS document, {\"keys\": [...]}): "
                    + e.getOriginalMessage(), e);
        }
        JsonNode keyNodes = root == null ? null : root.get("keys");
        if (keyNodes == null || !keyNodes.isArray()) {
            throw new IllegalArgumentException("jwks: no \"keys\" array (expected: a JWKS document, {\"keys\": [...]})");
        }
        List<VerificationKey> keys = new ArrayList<>();
        Map<String, Integer> indexById = new HashMap<>();
        for (int i = 0; i < keyNodes.size(); i++) {
            VerificationKey key = VerificationKey.parse(keyNodes.get(i), "jwks.keys[" + i + "]");
            if (key == null) {
                continue;
            }
            if (key.kid() != null) {
                Integer other = indexById.putIfAbsent(key.kid(), i);
                if (other != null) {
                    throw new IllegalArgumentException("jwks.keys[" + i + "].kid: " + key.kid()
                            + " (expected: a kid of one key only, but keys[" + other + "] has it too)");
                }
            }
            keys.add(key);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("jwks: no usable signing key (expected: RSA keys of 2048 bits or more,"
                    + " or EC keys on P-256 or P-384, with use \"sig\" when a use is given)");
        }
        return new JwtVerifier(null, keys, issuer, audience);
    }

    /**
     * The outcome of a verification: exactly one of the two is non-null.
     *
     * @param claims    the token's claims (an unmodifiable map), or null when rejected
     * @param rejection why it was rejected, or null when valid; short, fixed text, safe to log
     */
    public record Result(Map<String, Object> claims, String rejection) {
        public Result {
            if ((claims == null) == (rejection == null)) {
                throw new IllegalArgumentException("exactly one of claims and rejection (expected: one non-null)");
            }
        }

        public boolean valid() {
            return claims != null;
        }

        static Result rejected(String reason) {
            return new Result(null, reason);
        }
    }

    /**
     * Verifies a compact JWS (without any "Bearer " prefix) at {@code nowEpochSeconds}. Never throws: any problem with
     * the token, including null, is a rejection.
     */
    public Result verify(String token, long nowEpochSeconds) {
        try {
            return verifyOrReject(token, nowEpochSeconds);
        } catch (RuntimeException e) {
            // Defence in depth: every expected failure is handled above; a surprise is still the token's fault.
            return Result.rejected("malformed token");
        }
    }

    private Result verifyOrReject(String token, long now) {
        if (token == null || token.isEmpty()) {
            return Result.rejected("missing token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Result.rejected("token too large");
        }
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
            return Result.rejected("malformed token");
        }

        JsonNode header = parseJson(decodeBase64Url(token, 0, firstDot));
        if (header == null || !header.isObject()) {
            return Result.rejected("malformed header");
        }
        JsonNode algNode = header.get("alg");
        JsonNode kidNode = header.get("kid");
        if (algNode == null || !algNode.isTextual() || kidNode != null && !kidNode.isTextual()) {
            return Result.rejected("malformed header");
        }
        if ("none".equalsIgnoreCase(algNode.textValue())) {
            return Result.rejected("alg none not allowed");
        }
        Algorithm alg = Algorithm.named(algNode.textValue());
        if (alg == null) {
            return Result.rejected("unsupported alg");
        }
        if (alg.isHmac() != (secret != null)) {
            return Result.rejected("alg " + alg + " not allowed");
        }
        if (header.has("crit")) {
            return Result.rejected("unsupported critical header");
        }

        byte[] signature = decodeBase64Url(token, secondDot + 1, token.length());
        if (signature == null) {
            return Result.rejected("malformed signature");
        }
        byte[] signedPart = token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
        if (secret != null) {
            if (!alg.verifyHmac(secret, signedPart, signature)) {
                return Result.rejected("bad signature");
            }
        } else {
            VerificationKey key;
            if (kidNode != null) {
                key = keysById.get(kidNode.textValue());
                if (key == null) {
                    return Result.rejected("unknown kid");
                }
            } else if (keys.size() == 1) {
                key = keys.get(0);
            } else {
                return Result.rejected("no kid, and several keys");
            }
            if (!key.accepts(alg)) {
                return Result.rejected("key does not match alg " + alg);
            }
            if (!alg.verifySignature(key.publicKey(), signedPart, signature)) {
                return Result.rejected("bad signature");
            }
        }

        Map<String, Object> claims = parseClaims(decodeBase64Url(token, firstDot + 1, secondDot));
        if (claims == null) {
            return Result.rejected("malformed payload");
        }
        return checkClaims(claims, now);
    }

    private Result checkClaims(Map<String, Object> claims, long now) {
        Object exp = claims.get("exp");
        if (exp != null || claims.containsKey("exp")) {
            if (!(exp instanceof Number expiry)) {
                return Result.rejected("malformed exp");
            }
            if ((double) now - CLOCK_SKEW_SECONDS >= expiry.doubleValue()) {
                return Result.rejected("expired");
            }
        }
        Object nbf = claims.get("nbf");
        if (nbf != null || claims.containsKey("nbf")) {
            if (!(nbf instanceof Number notBefore)) {
                return Result.rejected("malformed nbf");
            }
            if ((double) now + CLOCK_SKEW_SECONDS < notBefore.doubleValue()) {
                return Result.rejected("not yet valid");
            }
        }
        if (issuer != null && !issuer.equals(claims.get("iss"))) {
            return Result.rejected("wrong issuer");
        }
        if (audience != null) {
            Object aud = claims.get("aud");
            boolean matches = aud instanceof List<?> audiences ? audiences.contains(audience) : audience.equals(aud);
            if (!matches) {
                return Result.rejected("wrong audience");
            }
        }
        return new Result(Collections.unmodifiableMap(claims), null);
    }

    /**
     * The value of a claim as a string for a rate-limit key: strings as they are, numbers in plain form (no exponent,
     * no trailing zeros: 42, 1.5, 100000000000000000000); null for a missing claim, null, a boolean, an object or an
     * array.
     */
    public static String claim(Map<String, Object> claims, String name) {
        requireNonNull(claims, "claims");
        requireNonNull(name, "name");
        Object value = claims.get(name);
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Short || value instanceof Byte) {
            return value.toString();
        }
        if (value instanceof BigDecimal decimal) {
            return plain(decimal);
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? plain(BigDecimal.valueOf(number)) : null;
        }
        return null;
    }

    private static String plain(BigDecimal decimal) {
        BigDecimal stripped = decimal.stripTrailingZeros();
        // A huge exponent would make a huge string; such a number is no key anyway.
        return Math.abs((long) stripped.scale()) > 400 ? null : stripped.toPlainString();
    }

    /** The bytes of base64url text without padding in {@code s[from, to)}, or null when it is not that. */
    private static byte[] decodeBase64Url(String s, int from, int to) {
        if ((to - from) % 4 == 1) {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return null;
            }
        }
        try {
            return Base64.getUrlDecoder().decode(s.substring(from, to));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static JsonNode parseJson(byte[] json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, Object> parseClaims(byte[] json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, CLAIMS); // null for "null"; anything but an object fails
        } catch (IOException e) {
            return null;
        }
    }

    /** The signature algorithms accepted, by their JWS name. */
    private enum Algorithm {
        HS256("HmacSHA256", null, 0),
        HS384("HmacSHA384", null, 0),
        HS512("HmacSHA512", null, 0),
        RS256("SHA256withRSA", null, 0),
        RS384("SHA384withRSA", null, 0),
        RS512("SHA512withRSA", null, 0),
        PS256("RSASSA-PSS", "SHA-256", 32),
        PS384("RSASSA-PSS", "SHA-384", 48),
        PS512("RSASSA-PSS", "SHA-512", 64),
        ES256("SHA256withECDSAinP1363Format", "P-256", 64),
        ES384("SHA384withECDSAinP1363Format", "P-384", 96);

        private static final Map<String, Algorithm> BY_NAME = byName();

        final String jcaName;
        /** The PSS hash for PS, the curve for ES. */
        final String parameter;
        /** The PSS salt length for PS; the signature length (r and s) for ES. */
        final int length;

        Algorithm(String jcaName, String parameter, int length) {
            this.jcaName = jcaName;
            this.parameter = parameter;
            this.length = length;
        }

        private static Map<String, Algorithm> byName() {
            Map<String, Algorithm> byName = new HashMap<>();
            for (Algorithm alg : values()) {
                byName.put(alg.name(), alg);
            }
            return Map.copyOf(byName);
        }

        /** The algorithm of a JWS alg name (case-sensitive, as JWS says), or null. */
        static Algorithm named(String name) {
            return BY_NAME.get(name);
        }

        boolean isHmac() {
            return name().startsWith("HS");
        }

        boolean isRsa() {
            return name().startsWith("RS") || name().startsWith("PS");
        }

        boolean isEc() {
            return name().startsWith("ES");
        }

        boolean verifyHmac(byte[] secret, byte[] signedPart, byte[] signature) {
            try {
                Mac mac = Mac.getInstance(jcaName);
                mac.init(new SecretKeySpec(secret, jcaName));
                return MessageDigest.isEqual(mac.doFinal(signedPart), signature); // constant time
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every Java platform has " + jcaName, e);
            }
        }

        boolean verifySignature(PublicKey key, byte[] signedPart, byte[] signature) {
            if (isEc() && !plausibleEcSignature((ECPublicKey) key, signature)) {
                return false;
            }
            try {
                Signature verifier = Signature.getInstance(jcaName);
                if (name().startsWith("PS")) {
                    verifier.setParameter(new PSSParameterSpec(parameter, "MGF1", new MGF1ParameterSpec(parameter),
                            length, PSSParameterSpec.TRAILER_FIELD_BC));
                }
                verifier.initVerify(key);
                verifier.update(signedPart);
                return verifier.verify(signature);
            } catch (GeneralSecurityException e) {
                return false; // a signature the provider cannot even read is a bad one
            }
        }

        /** R and S of the right length, each in 1..n-1 (never trust the provider with r = s = 0: CVE-2022-21449). */
        private boolean plausibleEcSignature(ECPublicKey key, byte[] signature) {
            if (signature.length != length) {
                return false;
            }
            BigInteger order = key.getParams().getOrder();
            BigInteger r = new BigInteger(1, signature, 0, length / 2);
            BigInteger s = new BigInteger(1, signature, length / 2, length / 2);
            return r.signum() > 0 && s.signum() > 0 && r.compareTo(order) < 0 && s.compareTo(order) < 0;
        }
    }

    /** One usable key of a JWKS document. */
    private record VerificationKey(String kid, Algorithm alg, String curve, PublicKey publicKey) {
        private static final int MIN_RSA_BITS = 2048;

        /** Whether this key may verify a token of {@code tokenAlg}. */
        boolean accepts(Algorithm tokenAlg) {
            if (alg != null) {
                return alg == tokenAlg;
            }
            return curve == null ? tokenAlg.isRsa() : tokenAlg.isEc() && curve.equals(tokenAlg.parameter);
        }

        /** The key at {@code path}, or null when it is not for verifying signatures or of a kind not supported. */
        static VerificationKey parse(JsonNode node, String path) {
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(path + ": " + node + " (expected: a JWK object)");
            }
            String kty = text(node, "kty", path, true);
            String use = text(node, "use", path, false);
            if (use != null && !use.equals("sig") || !allowsVerify(node.get("key_ops"))) {
                return null;
            }
            String kid = text(node, "kid", path, false);
            String algName = text(node, "alg", path, false);
            Algorithm alg = algName == null ? null : Algorithm.named(algName);
            if (algName != null && (alg == null || alg.isHmac())) {
                return null; // an algorithm not verified here: EdDSA, ES512, an encryption alg
            }
            if (node.has("d")) {
                throw new IllegalArgumentException(path + ": a private key (expected: public keys only; remove \"d\""
                        + " and the other private members)");
            }
            return switch (kty) {
                case "RSA" -> rsa(node, path, kid, alg);
                case "EC" -> ec(node, path, kid, alg);
                default -> null; // oct (shared secrets do not belong in a JWKS here), OKP, ...
            };
        }

        private static VerificationKey rsa(JsonNode node, String path, String kid, Algorithm alg) {
            if (alg != null && !alg.isRsa()) {
                throw new IllegalArgumentException(path + ".alg: " + alg + " (expected: RS256, RS384, RS512, PS256,"
                        + " PS384 or PS512 for an RSA key)");
            }
            BigInteger modulus = new BigInteger(1, base64(node, "n", path, -1));
            BigInteger exponent = new BigInteger(1, base64(node, "e", path, -1));
            if (modulus.bitLength() < MIN_RSA_BITS) {
                throw new IllegalArgumentException(path + ".n: " + modulus.bitLength() + " bits (expected: at least "
                        + MIN_RSA_BITS + " bits)");
            }
            if (!exponent.testBit(0) || exponent.compareTo(BigInteger.valueOf(3)) < 0) {
                throw new IllegalArgumentException(path + ".e: " + exponent + " (expected: an odd number >= 3)");
            }
            try {
                PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
                return new VerificationKey(kid, alg, null, key);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(path + ": not a usable RSA key (" + e.getMessage() + ")", e);
            }
        }

        private static VerificationKey ec(JsonNode node, String path, String kid, Algorithm alg) {
            String curve = text(node, "crv", path, true);
            int coordinateBytes;
            String standardName;
            switch (curve) {
                case "P-256" -> {
                    coordinateBytes = 32;
                    standardName = "secp256r1";
                }
                case "P-384" -> {
                    coordinateBytes = 48;
                    standardName = "secp384r1";
                }
                default -> {
                    return null; // P-521, secp256k1: not verified here
                }
            }
            if (alg != null && !(alg.isEc() && curve.equals(alg.parameter))) {
                throw new IllegalArgumentException(path + ".alg: " + alg + " (expected: "
                        + (coordinateBytes == 32 ? "ES256" : "ES384") + " for a " + curve + " key)");
            }
            BigInteger x = new BigInteger(1, base64(node, "x", path, coordinateBytes));
            BigInteger y = new BigInteger(1, base64(node, "y", path, coordinateBytes));
            try {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(standardName));
                ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
                if (!onCurve(spec, x, y)) {
                    throw new IllegalArgumentException(path + ": x and y are not a point on " + curve
                            + " (expected: the key's public point)");
                }
                PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                        new ECPublicKeySpec(new ECPoint(x, y), spec));
                return new VerificationKey(kid, alg, curve, key);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(path + ": not a usable EC key (" + e.getMessage() + ")", e);
            }
        }

        /** y^2 = x^3 + ax + b (mod p), with both coordinates below p. */
        private static boolean onCurve(ECParameterSpec spec, BigInteger x, BigInteger y) {
            BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
            if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
                return false;
            }
            BigInteger left = y.multiply(y).mod(p);
            BigInteger right = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
            return left.equals(right);
        }

        private static boolean allowsVerify(JsonNode keyOps) {
            if (keyOps == null) {
                return true;
            }
            if (!keyOps.isArray()) {
                return false;
            }
            for (JsonNode op : keyOps) {
                if ("verify".equals(op.textValue())) {
                    return true;
                }
            }
            return false;
        }

        private static String text(JsonNode node, String member, String path, boolean required) {
            JsonNode value = node.get(member);
            if (value == null) {
                if (required) {
                    throw new IllegalArgumentException(path + "." + member + ": missing (expected: a string)");
                }
                return null;
            }
            if (!value.isTextual()) {
                throw new IllegalArgumentException(path + "." + member + ": " + value + " (expected: a string)");
            }
            return value.textValue();
        }

        /** A base64url member's bytes; exactly {@code length} of them unless length is -1. */
        private static byte[] base64(JsonNode node, String member, String path, int length) {
            String text = text(node, member, path, true);
            byte[] bytes = decodeBase64Url(text, 0, text.length());
            if (bytes == null || bytes.length == 0 || length >= 0 && bytes.length != length) {
                throw new IllegalArgumentException(path + "." + member + ": " + text + " (expected: unpadded base64url"
                        + (length >= 0 ? " of " + length + " bytes" : "") + ")");
            }
            return bytes;
        }
    }
}
