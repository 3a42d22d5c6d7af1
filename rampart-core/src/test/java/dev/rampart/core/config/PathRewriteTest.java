package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathRewriteTest {

    @ParameterizedTest
    @CsvSource({
            "/v1/prices/42, /prices/42",
            "/v1, /",
            "/v1/, /",
            "/v2/prices, /v2/prices",
            "/v1beta/x, /v1beta/x",
    })
    void stripPrefixRemovesTheLeadingPrefixAtASegmentBoundaryAndKeepsThePathAbsolute(String path, String upstreamPath) {
        assertThat(new PathRewrite.StripPrefix("/v1").apply(path)).isEqualTo(upstreamPath);
    }

    @ParameterizedTest
    @CsvSource({
            "/v1/prices/42, /api/prices/42",
            "/v1/, /api/",
            "/v2/prices, /v2/prices",
    })
    void regexRewriteReplacesTheFirstMatchUsingGroups(String path, String upstreamPath) {
        PathRewrite rewrite = new PathRewrite.RegexRewrite(Pattern.compile("^/v1/(.*)$"), "/api/$1");
        assertThat(rewrite.apply(path)).isEqualTo(upstreamPath);
    }

    @ParameterizedTest
    @CsvSource({
            "/v1/prices, /prices",
            "/v1, /",
    })
    void regexRewriteKeepsThePathAbsolute(String path, String upstreamPath) {
        PathRewrite rewrite = new PathRewrite.RegexRewrite(Pattern.compile("^/v1/?"), "");
        assertThat(rewrite.apply(path)).isEqualTo(upstreamPath);
    }
}
