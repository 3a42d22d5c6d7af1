package dev.rampart.core.admission;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {
    private static final long NOW = 1_700_000_000L;
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
    private static final String CLAIMS = "{\"sub\":\"alice\",\"tenant\":42,\"exp\":" + (NOW + 600) + "}";

    private static KeyPair rsa;
    private static KeyPair otherRsa;
    private static KeyPair ec256;
    private static KeyPair ec384;
    private static String jwks;
    private static JwtVerifier jwksVerifier;

    @BeforeAll
    static void makeKeys() throws GeneralSecurityException {
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        rsa = rsaGenerator.generateKeyPair();
        otherRsa = rsaGenerator.generateKeyPair();
        ec256 = ecKeyPair("secp256r1");
        ec384 = ecKeyPair("secp384r1");
        jwks = jwks(
                rsaJwk("rsa-1", rsa, ""),
                rsaJwk("rsa-2", otherRsa, ",\"alg\":\"RS256\",\"use\":\"sig\""),
                ecJwk("ec-256", ec256, "P-256", 32, ""),
                ecJwk("ec-384", ec384, "P-384", 48, ""));
        jwksVerifier = JwtVerifier.jwks(jwks, null, null);
    }

    // --- Building tokens and keys, as an issuer would ---

    interface Signer {
        byte[] sign(byte[] signingInput) throws GeneralSecurityException;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(String text) {
        return b64(text.getBytes(UTF_8));
    }

    private static String token(String header, String payload, Signer signer) {
        String signingInput = b64(header) + "." + b64(payload);
        try {
            return signingInput + "." + b64(signer.sign(signingInput.getBytes(US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static Signer hmac(String alg, byte[] secret) {
        String jca = "Hmac" + "SHA" + alg.substring(2);
        return input -> {
            Mac mac = Mac.getInstance(jca);
            mac.init(new SecretKeySpec(secret, jca));
            return mac.doFinal(input);
        };
    }

    /** Signs as {@code alg} (RS*, PS*, ES*) with {@code key}. */
    private static Signer signer(String alg, PrivateKey key) {
        String bits = alg.substring(2);
        return input -> {
            Signature signature;
            if (alg.startsWith("PS")) {
                signature = Signature.getInstance("RSASSA-PSS");
                signature.setParameter(new PSSParameterSpec("SHA-" + bits, "MGF1",
                        new MGF1ParameterSpec("SHA-" + bits), Integer.parseInt(bits) / 8, 1));
            } else if (alg.startsWith("ES")) {
                signature = Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
            } else {
                signature = Signature.getInstance("SHA" + bits + "withRSA");
            }
            signature.initSign(key);
            signature.update(input);
            return signature.sign();
        };
    }

    private static String header(String alg, String kid) {
        return "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"") + "}";
    }

    private static String hs(String alg, String payload) {
        return token(header(alg, null), payload, hmac(alg, SECRET));
    }

    private static KeyPair ecKeyPair(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (length < 0) {
            length = bytes[0] == 0 ? bytes.length - 1 : bytes.length;
        }
        byte[] out = new byte[length];
        int copy = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
        return b64(out);
    }

    private static String rsaJwk(String kid, KeyPair pair, String extra) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return "{\"kty\":\"RSA\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"")
                + ",\"n\":\"" + unsigned(key.getModulus(), -1) + "\",\"e\":\"" + unsigned(key.getPublicExponent(), -1)
                + "\"" + extra + "}";
    }

    private static String ecJwk(String kid, KeyPair pair, String curve, int size, String extra) {
        ECPublicKey key = (ECPublicKey) pair.getPublic();
        return "{\"kty\":\"EC\",\"crv\":\"" + curve + "\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"")
                + ",\"x\":\"" + unsigned(key.getW().getAffineX(), size)
                + "\",\"y\":\"" + unsigned(key.getW().getAffineY(), size) + "\"" + extra + "}";
    }

    private static String jwks(String... keys) {
        return "{\"keys\":[" + String.join(",", keys) + "]}";
    }

    private static void assertRejected(JwtVerifier verifier, String token, String reason) {
        JwtVerifier.Result result = verifier.verify(token, NOW);
        assertThat(result.valid()).as("valid").isFalse();
        assertThat(result.claims()).isNull();
        assertThat(result.rejection()).isEqualTo(reason);
    }

    // --- HMAC ---

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void aTokenSignedWithTheSharedSecretGivesItsClaims(String alg) {
        JwtVerifier.Result result = JwtVerifier.hmac(SECRET, null, null).verify(hs(alg, CLAIMS), NOW);

        assertThat(result.valid()).isTrue();
        assertThat(result.rejection()).isNull();
        assertThat(result.claims()).containsEntry("sub", "alice").containsEntry("tenant", 42);
        assertThatThrownBy(() -> result.claims().put("sub", "mallory"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRejected() {
        String token = token(header("HS256", null), CLAIMS, hmac("HS256", "another secret of thirty-two b!!".getBytes(UTF_8)));

        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, "bad signature");
    }

    @Test
    void aTamperedPayloadIsRejected() {
        String token = hs("HS256", CLAIMS);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + b64(CLAIMS.replace("alice", "admin")) + "." + parts[2];

        assertRejected(JwtVerifier.hmac(SECRET, null, null), forged, "bad signature");
    }

    @Test
    void aTruncatedOrAlteredSignatureIsRejected() {
        String token = hs("HS256", CLAIMS);
        String truncated = token.substring(0, token.length() - 4);
        char last = token.charAt(token.length() - 1);
        String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
        JwtVerifier verifier = JwtVerifier.hmac(SECRET, null, null);

        assertRejected(verifier, truncated, "bad signature");
        assertRejected(verifier, altered, "bad signature");
        assertRejected(verifier, token.substring(0, token.lastIndexOf('.') + 1), "bad signature");
    }

    @Test
    void theSecretIsCopiedWhenTheVerifierIsMade() {
        byte[] secret = SECRET.clone();
        JwtVerifier verifier = JwtVerifier.hmac(secret, null, null);
        Arrays.fill(secret, (byte) 0);

        assertThat(verifier.verify(hs("HS256", CLAIMS), NOW).valid()).isTrue();
    }

    @Test
    void aSecretShorterThan256BitsIsRefusedWhenConfigured() {
        assertThatThrownBy(() -> JwtVerifier.hmac("secret".getBytes(UTF_8), null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("secret: 6 bytes (expected: at least 32 bytes");
    }

    // --- Time ---

    @ParameterizedTest
    @CsvSource({
            "-29, true",
            "-30, false",
            "-31, false",
            "-100000, false",
            "600, true",
    })
    void expiryAllowsThirtySecondsOfClockSkewAndNoMore(long expOffset, boolean valid) {
        String token = hs("HS256", "{\"sub\":\"alice\",\"exp\":" + (NOW + expOffset) + "}");

        JwtVerifier.Result result = JwtVerifier.hmac(SECRET, null, null).verify(token, NOW);

        assertThat(result.valid()).isEqualTo(valid);
        if (!valid) {
            assertThat(result.rejection()).isEqualTo("expired");
        }
    }

    @ParameterizedTest
    @CsvSource({
            "30, true",
            "31, false",
            "0, true",
            "-1000, true",
            "100000, false",
    })
    void notBeforeAllowsThirtySecondsOfClockSkewAndNoMore(long nbfOffset, boolean valid) {
        String token = hs("HS256", "{\"sub\":\"alice\",\"nbf\":" + (NOW + nbfOffset) + "}");

        JwtVerifier.Result result = JwtVerifier.hmac(SECRET, null, null).verify(token, NOW);

        assertThat(result.valid()).isEqualTo(valid);
        if (!valid) {
            assertThat(result.rejection()).isEqualTo("not yet valid");
        }
    }

    @Test
    void fractionalTimesAreNumericDatesToo() {
        JwtVerifier verifier = JwtVerifier.hmac(SECRET, null, null);

        assertThat(verifier.verify(hs("HS256", "{\"exp\":" + (NOW - 29) + ".5}"), NOW).valid()).isTrue();
        assertRejected(verifier, hs("HS256", "{\"exp\":" + (NOW - 30) + ".0}"), "expired");
        assertThat(verifier.verify(hs("HS256", "{\"exp\":1e300}"), NOW).valid()).isTrue();
    }

    @Test
    void aTokenWithoutExpiryIsAccepted() {
        assertThat(JwtVerifier.hmac(SECRET, null, null).verify(hs("HS256", "{\"sub\":\"alice\"}"), NOW).valid())
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"exp\":\"tomorrow\"}|malformed exp",
            "{\"exp\":true}|malformed exp",
            "{\"exp\":null}|malformed exp",
            "{\"exp\":[1]}|malformed exp",
            "{\"nbf\":\"now\"}|malformed nbf",
    })
    void timesThatAreNotNumbersAreRejected(String payload, String reason) {
        assertRejected(JwtVerifier.hmac(SECRET, null, null), hs("HS256", payload), reason);
    }

    // --- Issuer and audience ---

    @Test
    void theIssuerMustBeTheConfiguredOneWhenConfigured() {
        JwtVerifier verifier = JwtVerifier.hmac(SECRET, "https://issuer.example", null);

        assertThat(verifier.verify(hs("HS256", "{\"iss\":\"https://issuer.example\"}"), NOW).valid()).isTrue();
        assertRejected(verifier, hs("HS256", "{\"iss\":\"https://evil.example\"}"), "wrong issuer");
        assertRejected(verifier, hs("HS256", "{\"iss\":\"https://issuer.example/\"}"), "wrong issuer");
        assertRejected(verifier, hs("HS256", "{\"iss\":[\"https://issuer.example\"]}"), "wrong issuer");
        assertRejected(verifier, hs("HS256", "{\"sub\":\"alice\"}"), "wrong issuer");
    }

    @Test
    void theAudienceMustBeTheConfiguredOneOrAmongThemWhenConfigured() {
        JwtVerifier verifier = JwtVerifier.hmac(SECRET, null, "rampart");

        assertThat(verifier.verify(hs("HS256", "{\"aud\":\"rampart\"}"), NOW).valid()).isTrue();
        assertThat(verifier.verify(hs("HS256", "{\"aud\":[\"billing\",\"rampart\"]}"), NOW).valid()).isTrue();
        assertRejected(verifier, hs("HS256", "{\"aud\":\"billing\"}"), "wrong audience");
        assertRejected(verifier, hs("HS256", "{\"aud\":[\"billing\"]}"), "wrong audience");
        assertRejected(verifier, hs("HS256", "{\"aud\":[]}"), "wrong audience");
        assertRejected(verifier, hs("HS256", "{\"sub\":\"alice\"}"), "wrong audience");
        assertThat(JwtVerifier.hmac(SECRET, null, null).verify(hs("HS256", "{\"aud\":\"x\"}"), NOW).valid()).isTrue();
    }

    // --- Algorithms that must never pass ---

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void algNoneIsRejectedWhateverItsCase(String none) {
        String unsigned = b64("{\"alg\":\"" + none + "\"}") + "." + b64(CLAIMS) + ".";

        assertRejected(JwtVerifier.hmac(SECRET, null, null), unsigned, "alg none not allowed");
        assertRejected(jwksVerifier, unsigned, "alg none not allowed");
        assertRejected(jwksVerifier, unsigned + "c2lnbmF0dXJl", "alg none not allowed");
    }

    @Test
    void anHmacTokenIsRejectedByAJwksVerifierEvenWhenSignedWithThePublicKey() {
        // The classic confusion attack: HMAC keyed with the RSA public key, which the attacker knows.
        byte[] publicKeyBytes = rsa.getPublic().getEncoded();
        String withDer = token(header("HS256", "rsa-1"), CLAIMS, hmac("HS256", publicKeyBytes));
        String withJwk = token(header("HS256", "rsa-1"), CLAIMS,
                hmac("HS256", rsaJwk("rsa-1", rsa, "").getBytes(UTF_8)));

        assertRejected(jwksVerifier, withDer, "alg HS256 not allowed");
        assertRejected(jwksVerifier, withJwk, "alg HS256 not allowed");
        assertRejected(jwksVerifier, hs("HS512", CLAIMS), "alg HS512 not allowed");
    }

    @Test
    void aPublicKeyTokenIsRejectedByAnHmacVerifier() {
        String token = token(header("RS256", "rsa-1"), CLAIMS, signer("RS256", rsa.getPrivate()));

        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, "alg RS256 not allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS1", "hs256", "RS1", "ES512", "EdDSA", "PS256 ", ""})
    void anAlgorithmNotOnTheListIsRejected(String alg) {
        String token = token("{\"alg\":\"" + alg + "\"}", CLAIMS, hmac("HS256", SECRET));

        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, "unsupported alg");
    }

    @Test
    void aCriticalHeaderExtensionIsRejected() {
        String token = token("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", CLAIMS, hmac("HS256", SECRET));

        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, "unsupported critical header");
    }

    @Test
    void aDuplicateAlgInTheHeaderIsRejected() {
        // One parser might read the first, another the last: never guess.
        String token = token("{\"alg\":\"HS256\",\"alg\":\"none\"}", CLAIMS, hmac("HS256", SECRET));

        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, "malformed header");
    }

    @Test
    void aDuplicateClaimIsRejected() {
        String token = hs("HS256", "{\"sub\":\"alice\",\"sub\":\"admin\"}");

        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, "malformed payload");
    }

    // --- Garbage ---

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "``|missing token",
            "a|malformed token",
            "a.b|malformed token",
            "a.b.c.d|malformed token",
            "..|malformed header",
            "...|malformed token",
            "!!!.###.$$$|malformed header",
            "eyJ.eyJ.sig|malformed header",
            "e30.e30.|malformed header",
            "W10.e30.|malformed header",
            "bnVsbA.e30.|malformed header",
            "eyJhbGciOjF9.e30.|malformed header",
            "eyJhbGciOiJIUzI1NiJ9=.e30.|malformed header",
            "eyJhbGciOiJIUzI1NiIsImtpZCI6MX0.e30.|malformed header",
            "eyJhbGciOiJIUzI1NiJ9.e30.!!|malformed signature",
            "eyJhbGciOiJIUzI1NiJ9.e30.A|malformed signature",
            "eyJhbGciOiJIUzI1NiJ9 .e30.|malformed header",
            "eyJhbGciOiJIUzI1NiJ9.e30.c2ln|bad signature",
    })
    void garbageIsRejectedWithAReason(String token, String reason) {
        // {} is e30; [] is W10; null is bnVsbA; {"alg":1} is eyJhbGciOjF9; {"alg":"HS256","kid":1} has a numeric kid.
        assertRejected(JwtVerifier.hmac(SECRET, null, null), token, reason);
    }

    @Test
    void aNullTokenIsRejectedNotThrown() {
        assertRejected(JwtVerifier.hmac(SECRET, null, null), null, "missing token");
        assertRejected(jwksVerifier, null, "missing token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"alice\"", "42", "null", "{", "{}x", "{\"a\":1}{}", "not json"})
    void aPayloadThatIsNotOneJsonObjectIsRejectedEvenWhenSigned(String payload) {
        assertRejected(JwtVerifier.hmac(SECRET, null, null), hs("HS256", payload), "malformed payload");
    }

    @Test
    void aTokenOver8KibIsRejectedBeforeAnythingElse() {
        String big = hs("HS256", "{\"pad\":\"" + "x".repeat(6200) + "\"}");
        assertThat(big.length()).isGreaterThan(JwtVerifier.MAX_TOKEN_LENGTH);
        String justFits = hs("HS256", "{\"pad\":\"" + "x".repeat(5900) + "\"}");
        assertThat(justFits.length()).isLessThanOrEqualTo(JwtVerifier.MAX_TOKEN_LENGTH);

        assertRejected(JwtVerifier.hmac(SECRET, null, null), big, "token too large");
        assertThat(JwtVerifier.hmac(SECRET, null, null).verify(justFits, NOW).valid()).isTrue();
    }

    @Test
    void deeplyNestedJsonIsRejectedNotThrown() {
        String deep = "[".repeat(2000) + "]".repeat(2000);
        String deepHeader = token("{\"alg\":\"HS256\",\"x\":" + deep + "}", CLAIMS, hmac("HS256", SECRET));
        String deepPayload = hs("HS256", "{\"x\":" + deep + "}");

        assertRejected(JwtVerifier.hmac(SECRET, null, null), deepHeader, "malformed header");
        assertRejected(JwtVerifier.hmac(SECRET, null, null), deepPayload, "malformed payload");
    }

    @Test
    void randomBytesNeverThrow() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        String alphabet = "ABCDEFabcdef0123456789-_.=+/ {}\"eyJ";
        JwtVerifier hmacVerifier = JwtVerifier.hmac(SECRET, "iss", "aud");
        String valid = hs("HS256", CLAIMS);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder token = new StringBuilder(valid);
            for (int edits = random.nextInt(1, 4); edits > 0; edits--) {
                int at = random.nextInt(token.length());
                token.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThat(hmacVerifier.verify(token.toString(), NOW).rejection()).isNotNull();
            assertThat(jwksVerifier.verify(token.toString(), NOW).rejection()).isNotNull();
        }
    }

    // --- JWKS ---

    @ParameterizedTest
    @CsvSource({
            "RS256, rsa-1", "RS384, rsa-1", "RS512, rsa-1",
            "PS256, rsa-1", "PS384, rsa-1", "PS512, rsa-1",
            "RS256, rsa-2",
            "ES256, ec-256", "ES384, ec-384",
    })
    void aTokenSignedByAJwksKeyGivesItsClaims(String alg, String kid) {
        KeyPair pair = switch (kid) {
            case "rsa-1" -> rsa;
            case "rsa-2" -> otherRsa;
            case "ec-256" -> ec256;
            default -> ec384;
        };
        String token = token(header(alg, kid), CLAIMS, signer(alg, pair.getPrivate()));

        JwtVerifier.Result result = jwksVerifier.verify(token, NOW);

        assertThat(result.rejection()).isNull();
        assertThat(result.claims()).containsEntry("sub", "alice");
    }

    @Test
    void withoutAKidTheOnlyKeyIsUsed() {
        JwtVerifier single = JwtVerifier.jwks(jwks(ecJwk(null, ec256, "P-256", 32, "")), null, null);
        String token = token(header("ES256", null), CLAIMS, signer("ES256", ec256.getPrivate()));

        assertThat(single.verify(token, NOW).valid()).isTrue();
        assertRejected(jwksVerifier, token, "no kid, and several keys");
    }

    @Test
    void anUnknownKidIsRejected() {
        String token = token(header("RS256", "rsa-9"), CLAIMS, signer("RS256", rsa.getPrivate()));

        assertRejected(jwksVerifier, token, "unknown kid");
    }

    @Test
    void aTokenSignedByAnotherKeyThanItsKidNamesIsRejected() {
        String token = token(header("RS256", "rsa-1"), CLAIMS, signer("RS256", otherRsa.getPrivate()));

        assertRejected(jwksVerifier, token, "bad signature");
    }

    @Test
    void aTokenCarryingItsOwnKeyIsNotTrusted() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair attacker = generator.generateKeyPair();
        String embedded = rsaJwk("rsa-1", attacker, "");
        String header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jwk\":" + embedded
                + ",\"jku\":\"https://evil.example/jwks\"}";

        assertRejected(jwksVerifier, token(header, CLAIMS, signer("RS256", attacker.getPrivate())), "bad signature");
    }

    @Test
    void aTamperedPayloadIsRejectedByTheJwksVerifier() {
        String token = token(header("ES256", "ec-256"), CLAIMS, signer("ES256", ec256.getPrivate()));
        String[] parts = token.split("\\.");

        assertRejected(jwksVerifier, parts[0] + "." + b64(CLAIMS.replace("42", "43")) + "." + parts[2],
                "bad signature");
    }

    @ParameterizedTest
    @CsvSource({
            "RS256, ec-256",
            "ES256, rsa-1",
            "ES256, ec-384",
            "ES384, ec-256",
            "PS256, rsa-2",
            "RS384, rsa-2",
    })
    void aKeyOfAnotherTypeCurveOrDeclaredAlgIsNeverUsed(String alg, String kid) {
        // Signed correctly by some key of the right kind, but the kid names a key that does not fit the alg.
        PrivateKey key = alg.startsWith("ES") ? (alg.equals("ES256") ? ec256 : ec384).getPrivate()
                : otherRsa.getPrivate();
        String token = token(header(alg, kid), CLAIMS, signer(alg, key));

        assertRejected(jwksVerifier, token, "key does not match alg " + alg);
    }

    @Test
    void anEcdsaSignatureOfZerosIsRejected() {
        // CVE-2022-21449 ("psychic signatures"): r = s = 0 once verified anything on some JDKs.
        String signingInput = b64(header("ES256", "ec-256")) + "." + b64(CLAIMS);

        assertRejected(jwksVerifier, signingInput + "." + b64(new byte[64]), "bad signature");
        assertRejected(jwksVerifier, signingInput + "." + b64(new byte[63]), "bad signature");
        byte[] orderAsR = new byte[64];
        byte[] order = ((ECPublicKey) ec256.getPublic()).getParams().getOrder().toByteArray();
        System.arraycopy(order, order.length - 32, orderAsR, 0, 32);
        orderAsR[63] = 1;
        assertRejected(jwksVerifier, signingInput + "." + b64(orderAsR), "bad signature");
    }

    @Test
    void aDerEncodedEcdsaSignatureIsRejected() {
        // JWS uses R || S; a DER signature from a careless issuer is not accepted in its place.
        String token = token(header("ES256", "ec-256"), CLAIMS, input -> {
            Signature der = Signature.getInstance("SHA256withECDSA");
            der.initSign(ec256.getPrivate());
            der.update(input);
            return der.sign();
        });

        assertRejected(jwksVerifier, token, "bad signature");
    }

    @Test
    void claimsAreCheckedForJwksTokensToo() {
        JwtVerifier verifier = JwtVerifier.jwks(jwks, "https://issuer.example", "rampart");
        String good = "{\"iss\":\"https://issuer.example\",\"aud\":\"rampart\",\"exp\":" + (NOW + 60) + "}";
        String expired = "{\"iss\":\"https://issuer.example\",\"aud\":\"rampart\",\"exp\":" + (NOW - 60) + "}";
        String wrongAud = "{\"iss\":\"https://issuer.example\",\"aud\":\"other\"}";

        assertThat(verifier.verify(token(header("PS256", "rsa-1"), good, signer("PS256", rsa.getPrivate())), NOW)
                .valid()).isTrue();
        assertRejected(verifier, token(header("PS256", "rsa-1"), expired, signer("PS256", rsa.getPrivate())),
                "expired");
        assertRejected(verifier, token(header("PS256", "rsa-1"), wrongAud, signer("PS256", rsa.getPrivate())),
                "wrong audience");
    }

    // --- JWKS documents ---

    @Test
    void keysThatCannotVerifyOrAreOfUnsupportedKindsAreSkipped() {
        String document = jwks(
                "{\"kty\":\"oct\",\"kid\":\"shared\",\"k\":\"c2VjcmV0\"}",
                "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                "{\"kty\":\"EC\",\"crv\":\"P-521\",\"kid\":\"p521\",\"x\":\"AA\",\"y\":\"AA\"}",
                rsaJwk("enc", otherRsa, ",\"use\":\"enc\""),
                rsaJwk("ops", otherRsa, ",\"key_ops\":[\"encrypt\"]"),
                rsaJwk("eddsa", otherRsa, ",\"alg\":\"RSA-OAEP\""),
                rsaJwk("rsa-1", rsa, ",\"key_ops\":[\"verify\"]"));

        JwtVerifier verifier = JwtVerifier.jwks(document, null, null);

        assertThat(verifier.verify(token(header("RS256", "rsa-1"), CLAIMS, signer("RS256", rsa.getPrivate())), NOW)
                .valid()).isTrue();
        assertRejected(verifier, token(header("RS256", "enc"), CLAIMS, signer("RS256", otherRsa.getPrivate())),
                "unknown kid");
        // With one usable key left, a token without kid uses it.
        assertThat(verifier.verify(token(header("RS256", null), CLAIMS, signer("RS256", rsa.getPrivate())), NOW)
                .valid()).isTrue();
    }

    @Test
    void aDocumentWithNoUsableKeyIsRefused() {
        assertThatThrownBy(() -> JwtVerifier.jwks(jwks("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}"), null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jwks: no usable signing key (expected: ");
        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(), null, null))
                .hasMessageStartingWith("jwks: no usable signing key");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not json|jwks: not JSON",
            "``|jwks: no \"keys\" array",
            "[]|jwks: no \"keys\" array",
            "{\"keys\":{}}|jwks: no \"keys\" array",
            "{\"keys\":[1]}|jwks.keys[0]: 1 (expected: a JWK object)",
            "{\"keys\":[{\"kid\":\"a\"}]}|jwks.keys[0].kty: missing (expected: a string)",
            "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}|jwks.keys[0].n: missing (expected: a string)",
            "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"!!\",\"e\":\"AQAB\"}]}|jwks.keys[0].n: !! (expected: unpadded base64url)",
            "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}|jwks.keys[0].n: 17 bits (expected: at least 2048 bits)",
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AQAB\",\"y\":\"AQAB\"}]}"
                    + "|jwks.keys[0].x: AQAB (expected: unpadded base64url of 32 bytes)",
            "{\"keys\":[{\"kty\":\"EC\",\"x\":\"AQAB\",\"y\":\"AQAB\"}]}|jwks.keys[0].crv: missing (expected: a string)",
    })
    void aMalformedDocumentIsRefusedSayingWhere(String document, String message) {
        assertThatThrownBy(() -> JwtVerifier.jwks(document, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aPrivateKeyInTheDocumentIsRefused() {
        String withPrivate = rsaJwk("rsa-1", rsa, ",\"d\":\"AQAB\"");

        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(withPrivate), null, null))
                .hasMessageStartingWith("jwks.keys[0]: a private key (expected: public keys only");
    }

    @Test
    void anRsaKeyUnder2048BitsIsRefused() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        String weak = rsaJwk("weak", generator.generateKeyPair(), "");

        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(weak), null, null))
                .hasMessage("jwks.keys[0].n: 1024 bits (expected: at least 2048 bits)");
    }

    @Test
    void anEcPointOffTheCurveIsRefused() {
        ECPublicKey key = (ECPublicKey) ec256.getPublic();
        String offCurve = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + unsigned(key.getW().getAffineX(), 32)
                + "\",\"y\":\"" + unsigned(key.getW().getAffineY().add(BigInteger.ONE), 32) + "\"}";

        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(offCurve), null, null))
                .hasMessage("jwks.keys[0]: x and y are not a point on P-256 (expected: the key's public point)");
    }

    @Test
    void aKidUsedTwiceIsRefused() {
        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(rsaJwk("k", rsa, ""), rsaJwk("k", otherRsa, "")), null, null))
                .hasMessage("jwks.keys[1].kid: k (expected: a kid of one key only, but keys[0] has it too)");
    }

    @Test
    void aDeclaredAlgThatDoesNotFitTheKeyIsRefused() {
        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(rsaJwk("k", rsa, ",\"alg\":\"ES256\"")), null, null))
                .hasMessageStartingWith("jwks.keys[0].alg: ES256 (expected: RS256, RS384, RS512, PS256");
        assertThatThrownBy(() -> JwtVerifier.jwks(jwks(ecJwk("k", ec256, "P-256", 32, ",\"alg\":\"ES384\"")),
                null, null))
                .hasMessage("jwks.keys[0].alg: ES384 (expected: ES256 for a P-256 key)");
    }

    // --- Claims as rate-limit keys ---

    @Test
    void claimsBecomeKeyStrings() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "alice");
        claims.put("int", 42);
        claims.put("long", 12_345_678_901L);
        claims.put("big", new BigInteger("123456789012345678901234567890"));
        claims.put("whole", 42.0);
        claims.put("fraction", 1.5);
        claims.put("huge", 1e20);
        claims.put("tiny", 1e-7);
        claims.put("decimal", new java.math.BigDecimal("1.2300"));
        claims.put("flag", true);
        claims.put("list", List.of("a"));
        claims.put("object", Map.of("a", 1));
        claims.put("null", null);

        assertThat(JwtVerifier.claim(claims, "sub")).isEqualTo("alice");
        assertThat(JwtVerifier.claim(claims, "int")).isEqualTo("42");
        assertThat(JwtVerifier.claim(claims, "long")).isEqualTo("12345678901");
        assertThat(JwtVerifier.claim(claims, "big")).isEqualTo("123456789012345678901234567890");
        assertThat(JwtVerifier.claim(claims, "whole")).isEqualTo("42");
        assertThat(JwtVerifier.claim(claims, "fraction")).isEqualTo("1.5");
        assertThat(JwtVerifier.claim(claims, "huge")).isEqualTo("100000000000000000000");
        assertThat(JwtVerifier.claim(claims, "tiny")).isEqualTo("0.0000001");
        assertThat(JwtVerifier.claim(claims, "decimal")).isEqualTo("1.23");
        assertThat(JwtVerifier.claim(claims, "flag")).isNull();
        assertThat(JwtVerifier.claim(claims, "list")).isNull();
        assertThat(JwtVerifier.claim(claims, "object")).isNull();
        assertThat(JwtVerifier.claim(claims, "null")).isNull();
        assertThat(JwtVerifier.claim(claims, "missing")).isNull();
    }

    @Test
    void claimsOfAVerifiedTokenBecomeKeyStrings() {
        String token = hs("HS256", "{\"sub\":\"alice\",\"tenant\":42,\"score\":1e3,\"big\":123456789012345678901}");
        Map<String, Object> claims = JwtVerifier.hmac(SECRET, null, null).verify(token, NOW).claims();

        assertThat(JwtVerifier.claim(claims, "tenant")).isEqualTo("42");
        assertThat(JwtVerifier.claim(claims, "score")).isEqualTo("1000");
        assertThat(JwtVerifier.claim(claims, "big")).isEqualTo("123456789012345678901");
    }

    @Test
    void aResultIsEitherClaimsOrARejection() {
        assertThatThrownBy(() -> new JwtVerifier.Result(null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JwtVerifier.Result(Map.of(), "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
