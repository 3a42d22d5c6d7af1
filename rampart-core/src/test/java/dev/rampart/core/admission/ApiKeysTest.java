package dev.rampart.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "abc|ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
                    + "|248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            "The quick brown fox jumps over the lazy dog"
                    + "|d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
            "clé-🔑|26253e5f26eabf0b67ccfade68b830ef32a1cc9b1f4df6a2fddf59506276ad50",
    })
    void sha256HexMatchesKnownVectorsOfTheUtf8Bytes(String key, String hash) {
        assertThat(ApiKeys.sha256Hex(key)).isEqualTo(hash);
    }

    @Test
    void aPresentedKeyFindsItsClient() {
        ApiKeys keys = new ApiKeys(Map.of(
                "billing", List.of(ApiKeys.sha256Hex("billing-key-1"), ApiKeys.sha256Hex("billing-key-2")),
                "search", List.of(ApiKeys.sha256Hex("search-key"))));

        assertThat(keys.clientFor("billing-key-1")).isEqualTo("billing");
        assertThat(keys.clientFor("billing-key-2")).isEqualTo("billing");
        assertThat(keys.clientFor("search-key")).isEqualTo("search");
        assertThat(keys.size()).isEqualTo(3);
    }

    @Test
    void anUnknownOrMissingKeyFindsNoClient() {
        ApiKeys keys = new ApiKeys(Map.of("search", List.of(ApiKeys.sha256Hex("search-key"))));

        assertThat(keys.clientFor("search-key ")).isNull();
        assertThat(keys.clientFor("SEARCH-KEY")).isNull();
        assertThat(keys.clientFor("")).isNull();
        assertThat(keys.clientFor(null)).isNull();
        // The configured hash itself is not a key.
        assertThat(keys.clientFor(ApiKeys.sha256Hex("search-key"))).isNull();
    }

    @Test
    void upperCaseHashesInTheConfigMatchToo() {
        ApiKeys keys = new ApiKeys(Map.of("search", List.of(ApiKeys.sha256Hex("search-key").toUpperCase())));

        assertThat(keys.clientFor("search-key")).isEqualTo("search");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
            "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\uff15",
            "my-plain-api-key",
    })
    void somethingOtherThanAHexSha256IsRefusedWhenConfigured(String hash) {
        assertThat(ApiKeys.validHash(hash)).isFalse();
        assertThatThrownBy(() -> new ApiKeys(Map.of("search", List.of(hash))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("search: " + hash
                        + " (expected: a SHA-256 hash as 64 hex digits, such as the output of sha256sum)");
    }

    @Test
    void twoClientsCannotShareAKey() {
        String shared = ApiKeys.sha256Hex("shared");

        assertThatThrownBy(() -> new ApiKeys(Map.of("a", List.of(shared), "b", List.of(shared.toUpperCase()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has the same key");
    }

    @Test
    void oneClientListingAKeyTwiceIsHarmless() {
        String hash = ApiKeys.sha256Hex("k");

        ApiKeys keys = new ApiKeys(Map.of("a", List.of(hash, hash)));

        assertThat(keys.clientFor("k")).isEqualTo("a");
        assertThat(keys.size()).isEqualTo(1);
    }
}
