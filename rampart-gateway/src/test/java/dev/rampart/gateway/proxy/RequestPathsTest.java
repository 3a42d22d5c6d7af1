package dev.rampart.gateway.proxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RequestPathsTest {

    @ParameterizedTest
    @CsvSource({
            "/, /",
            "/v1/prices/42, /v1/prices/42",
            "/v1/./prices, /v1/prices",
            "/v1/public/../admin, /v1/admin",
            "/v1//prices///42, /v1/prices/42",
            "/v1/prices/, /v1/prices/",
            "/v1/prices/., /v1/prices/",
            "/v1/prices/.., /v1/",
            "/a/b/../../c, /c",
            "/file.json, /file.json",
            "/..well-known, /..well-known",
            "/%41bc, /%41bc"
    })
    void dotSegmentsAreResolvedAndSlashesMerged(String raw, String normalized) {
        assertThat(RequestPaths.normalize(raw)).isEqualTo(normalized);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "relative", "*", "/..", "/../etc/passwd", "/a/../../b", "/%2e%2e/admin", "/%2E./x",
            "/a/.%2e/b", "/a\\b", "/a\u0001b", "/caf\u00e9"})
    void pathsThatEscapeTheRootOrHideDotSegmentsAreRefused(String raw) {
        assertThat(RequestPaths.normalize(raw)).isNull();
    }
}
