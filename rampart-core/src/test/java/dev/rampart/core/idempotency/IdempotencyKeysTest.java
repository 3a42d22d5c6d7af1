package dev.rampart.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rampart.core.config.IdempotencyConfig;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the Idempotency-Key header, and the fingerprint that tells a repeat from a different request. */
class IdempotencyKeysTest {

    private static final String UUID = "8e03978e-40d5-43e8-bc93-6894a57f9324";

    // --- parse ------------------------------------------------------------------------------------------------

    @Test
    void aBareKeyIsReadAsSent() {
        assertThat(IdempotencyKeys.parse(UUID)).isEqualTo(UUID);
        assertThat(IdempotencyKeys.parse("order:42/attempt=1")).isEqualTo("order:42/attempt=1");
    }

    @Test
    void aStructuredFieldsStringIsReadWithoutItsQuotes() {
        assertThat(IdempotencyKeys.parse("\"" + UUID + "\"")).isEqualTo(UUID);
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(IdempotencyKeys.parse("  " + UUID + "\t")).isEqualTo(UUID);
        assertThat(IdempotencyKeys.parse(" \"" + UUID + "\" ")).isEqualTo(UUID);
    }

    @Test
    void noHeaderMeansNoKey() {
        assertThat(IdempotencyKeys.parse(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\"\"", " \"\" "})
    void anEmptyKeyIsRefused(String header) {
        assertThat(IdempotencyKeys.parse(header)).isNull();
    }

    @Test
    void aKeyOfTheMaximumLengthIsAccepted() {
        String key = "k".repeat(IdempotencyConfig.MAX_KEY_LENGTH);

        assertThat(IdempotencyConfig.MAX_KEY_LENGTH).isEqualTo(255);
        assertThat(IdempotencyKeys.parse(key)).isEqualTo(key);
        assertThat(IdempotencyKeys.parse("\"" + key + "\"")).isEqualTo(key);
    }

    @Test
    void aKeyOneCharacterLongerThanTheMaximumIsRefused() {
        String key = "k".repeat(256);

        assertThat(IdempotencyKeys.parse(key)).isNull();
        assertThat(IdempotencyKeys.parse("\"" + key + "\"")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a\tb", "a\u0000b", "a\nb", "a\rb", "a\u001fb", "a\u007fb"})
    void aKeyWithWhitespaceOrControlCharactersIsRefused(String header) {
        assertThat(IdempotencyKeys.parse(header)).isNull();
        assertThat(IdempotencyKeys.parse("\"" + header + "\"")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"clé", "ключ", "key-\u00a0", "key-\u2028", "key-😀", "ｋｅｙ"})
    void aKeyWithNonAsciiCharactersIsRefused(String header) {
        assertThat(IdempotencyKeys.parse(header)).isNull();
        assertThat(IdempotencyKeys.parse("\"" + header + "\"")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"", "\"abc", "abc\"", "a\"b", "\"a\"b\"", "a\\b", "\"a\\\"b\""})
    void aKeyWithAStrayQuoteOrBackslashIsRefused(String header) {
        assertThat(IdempotencyKeys.parse(header)).isNull();
    }

    @Test
    void everyVisibleAsciiCharacterButQuoteAndBackslashIsAllowed() {
        StringBuilder key = new StringBuilder();
        for (char c = 0x21; c <= 0x7e; c++) {
            if (c != '"' && c != '\\') {
                key.append(c);
            }
        }

        assertThat(IdempotencyKeys.parse(key.toString())).isEqualTo(key.toString());
    }

    // --- fingerprint ------------------------------------------------------------------------------------------

    private static String fingerprint(String method, String path, String query, String client, String body) {
        IdempotencyKeys.Fingerprint fingerprint = new IdempotencyKeys.Fingerprint(method, path, query, client);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        fingerprint.body(bytes, 0, bytes.length);
        return fingerprint.finish();
    }

    private static final String BASE = fingerprint("POST", "/v1/charges", "currency=eur", "mobile-app",
            "{\"amount\":100}");

    @Test
    void equalRequestsHaveEqualFingerprints() {
        assertThat(fingerprint("POST", "/v1/charges", "currency=eur", "mobile-app", "{\"amount\":100}"))
                .isEqualTo(BASE);
    }

    @Test
    void aFingerprintIsASha256InLowerCaseHex() {
        assertThat(BASE).hasSize(64).matches("[0-9a-f]{64}");
    }

    @Test
    void aFingerprintChangesWhenAnyPartChanges() {
        assertThat(fingerprint("PATCH", "/v1/charges", "currency=eur", "mobile-app", "{\"amount\":100}"))
                .isNotEqualTo(BASE);
        assertThat(fingerprint("POST", "/v1/refunds", "currency=eur", "mobile-app", "{\"amount\":100}"))
                .isNotEqualTo(BASE);
        assertThat(fingerprint("POST", "/v1/charges", "currency=usd", "mobile-app", "{\"amount\":100}"))
                .isNotEqualTo(BASE);
        assertThat(fingerprint("POST", "/v1/charges", "currency=eur", "partner", "{\"amount\":100}"))
                .isNotEqualTo(BASE);
        assertThat(fingerprint("POST", "/v1/charges", "currency=eur", "mobile-app", "{\"amount\":101}"))
                .isNotEqualTo(BASE);
        assertThat(fingerprint("POST", "/v1/charges", "currency=eur", "mobile-app", ""))
                .isNotEqualTo(BASE);
    }

    @Test
    void movingBytesBetweenPartsChangesTheFingerprint() {
        String reference = fingerprint("POST", "/ab", "c", "d", "e");

        assertThat(fingerprint("POS", "T/ab", "c", "d", "e")).isNotEqualTo(reference);
        assertThat(fingerprint("POST", "/a", "bc", "d", "e")).isNotEqualTo(reference);
        assertThat(fingerprint("POST", "/abc", "", "d", "e")).isNotEqualTo(reference);
        assertThat(fingerprint("POST", "/ab", "cd", "", "e")).isNotEqualTo(reference);
        assertThat(fingerprint("POST", "/ab", "c", "de", "")).isNotEqualTo(reference);
        assertThat(fingerprint("POST", "/ab", "c", "", "de")).isNotEqualTo(reference);
    }

    @Test
    void aPartThatLooksLikeALengthPrefixCannotForgeAnotherSplit() {
        // "1:a" as a path must not read as the path "a" followed by extra framing
        assertThat(fingerprint("POST", "1:a", "", "", "")).isNotEqualTo(fingerprint("POST", "a", "", "", ""));
        assertThat(fingerprint("POST", "/a", "1:b", "", "")).isNotEqualTo(fingerprint("POST", "/a1:b", "", "", ""));
    }

    @Test
    void partsAreLengthPrefixedInUtf8Bytes() {
        // "é" is one character but two bytes; the fingerprint still tells these two apart
        assertThat(fingerprint("POST", "/é", "x", "", "")).isNotEqualTo(fingerprint("POST", "/éx", "", "", ""));
        assertThat(fingerprint("POST", "/é", "", "", "")).isEqualTo(fingerprint("POST", "/é", "", "", ""));
    }

    @Test
    void noQueryAndNoClientFingerprintLikeEmptyOnes() {
        IdempotencyKeys.Fingerprint withNulls = new IdempotencyKeys.Fingerprint("POST", "/v1/charges", null, null);

        assertThat(withNulls.finish()).isEqualTo(fingerprint("POST", "/v1/charges", "", "", ""));
    }

    @Test
    void aBodyFedInChunksFingerprintsLikeTheBodyFedAtOnce() {
        byte[] body = new byte[10_000];
        new Random(42).nextBytes(body);
        IdempotencyKeys.Fingerprint atOnce = new IdempotencyKeys.Fingerprint("POST", "/upload", "", "c");
        atOnce.body(body, 0, body.length);

        IdempotencyKeys.Fingerprint inChunks = new IdempotencyKeys.Fingerprint("POST", "/upload", "", "c");
        Random sizes = new Random(7);
        for (int offset = 0; offset < body.length; ) {
            int length = Math.min(body.length - offset, sizes.nextInt(700));
            inChunks.body(body, offset, length);
            offset += length;
        }

        assertThat(inChunks.finish()).isEqualTo(atOnce.finish());
    }

    @Test
    void onlyTheGivenSliceOfAChunkIsFingerprinted() {
        byte[] buffer = "xxBODYyy".getBytes(StandardCharsets.US_ASCII);
        IdempotencyKeys.Fingerprint slice = new IdempotencyKeys.Fingerprint("POST", "/p", "", "");
        slice.body(buffer, 2, 4);

        assertThat(slice.finish()).isEqualTo(fingerprint("POST", "/p", "", "", "BODY"));
    }

    @Test
    void anEmptyChunkChangesNothing() {
        IdempotencyKeys.Fingerprint fingerprint = new IdempotencyKeys.Fingerprint("POST", "/p", "", "");
        fingerprint.body(new byte[0], 0, 0);
        fingerprint.body(new byte[8], 8, 0);

        assertThat(fingerprint.finish()).isEqualTo(new IdempotencyKeys.Fingerprint("POST", "/p", "", "").finish());
    }
}
