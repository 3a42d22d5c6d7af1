package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {

    @ParameterizedTest
    @CsvSource({
            "/v1/prices/*, /v1/prices/42, true",
            "/v1/prices/*, /v1/prices/, true",
            "/v1/prices/*, /v1/prices/42/x, false",
            "/v1/prices/*, /v1/prices, false",
            "/v1/prices/*, /v1/pricesX/42, false",
            "/v1/*/items, /v1/cart/items, true",
            "/v1/*/items, /v1/a/b/items, false",
            "/v1/*.json, /v1/list.json, true",
            "/v1/*.json, /v1/a/list.json, false",
            "/v1/**, /v1/a, true",
            "/v1/**, /v1/a/b/c/d, true",
            "/v1/**, /v1/, true",
            "/v1/**, /v1, false",
            "/v1/**, /v2/a, false",
            "/**/health, /a/b/health, true",
            "/**/health, /a/b/healthz, false",
    })
    void globStarStaysInOneSegmentAndDoubleStarCrossesSegments(String pattern, String path, boolean matches) {
        assertThat(new PathPattern.Glob(pattern).matches(path)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({
            "/healthz, /healthz, true",
            "/healthz, /healthz/, false",
            "/healthz, /healthzz, false",
    })
    void exactMatchesOnlyTheSamePath(String pattern, String path, boolean matches) {
        assertThat(new PathPattern.Exact(pattern).matches(path)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({
            "/v1/, /v1/prices, true",
            "/v1/, /v1/, true",
            "/v1/, /v1, false",
            "/v1, /v1beta, true",
    })
    void prefixMatchesEveryPathThatStartsWithIt(String pattern, String path, boolean matches) {
        assertThat(new PathPattern.Prefix(pattern).matches(path)).isEqualTo(matches);
    }
}
