package dev.rampart.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

    @Test
    void aNamedSegmentCapturesExactlyOneSegment() {
        PathTemplate template = PathTemplate.of("/prices/{sku}");

        assertThat(template.match("/prices/42")).contains(Map.of("sku", "42"));
        assertThat(template.match("/prices/")).isEmpty();
        assertThat(template.match("/prices")).isEmpty();
        assertThat(template.match("/prices/42/more")).isEmpty();
        assertThat(template.match("/pricesX/42")).isEmpty();
    }

    @Test
    void aLastDoubleStarMatchesAnyRestIncludingNothing() {
        PathTemplate template = PathTemplate.of("/echo/**");

        assertThat(template.match("/echo")).contains(Map.of());
        assertThat(template.match("/echo/")).contains(Map.of());
        assertThat(template.match("/echo/a/b/c")).contains(Map.of());
        assertThat(template.match("/echoes")).isEmpty();
    }

    @Test
    void literalPathsMatchOnlyThemselves() {
        assertThat(PathTemplate.of("/healthz").match("/healthz")).contains(Map.of());
        assertThat(PathTemplate.of("/healthz").match("/healthz/")).isEmpty();
    }

    @Test
    void aDoubleStarAnywhereButLastIsRefused() {
        assertThatThrownBy(() -> PathTemplate.of("/a/**/b")).isInstanceOf(IllegalArgumentException.class);
    }
}
