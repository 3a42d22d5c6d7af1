package dev.rampart.gateway.routing;

import dev.rampart.core.config.IdentityConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NotForwardedHeadersTest {

    @Test
    void aHiddenApiKeyHeaderIsLeftOutOfEveryUpstreamRequest() {
        NotForwardedHeaders hidden = NotForwardedHeaders.of(new IdentityConfig("x-client-key", true, List.of(), null));

        assertThat(hidden.onRequest).contains("x-client-key", "host", "x-forwarded-for");
        assertThat(hidden.onCacheFetch).contains("x-client-key", "host", "if-none-match");
        assertThat(hidden.onCacheRefresh).contains("x-client-key", "host", "if-none-match");
    }

    @Test
    void hidingTheApiKeyAddsOnlyItsHeader() {
        NotForwardedHeaders forwarded = NotForwardedHeaders.of(IdentityConfig.defaults());
        NotForwardedHeaders hidden = NotForwardedHeaders.of(new IdentityConfig("x-api-key", true, List.of(), null));

        assertThat(hidden.onRequest).containsExactlyInAnyOrderElementsOf(with(forwarded.onRequest, "x-api-key"));
        assertThat(hidden.onCacheFetch).containsExactlyInAnyOrderElementsOf(with(forwarded.onCacheFetch, "x-api-key"));
        assertThat(hidden.onCacheRefresh)
                .containsExactlyInAnyOrderElementsOf(with(forwarded.onCacheRefresh, "x-api-key"));
    }

    @Test
    void anApiKeyThatIsNotHiddenIsForwardedAndEveryConfigSharesTheSameSets() {
        NotForwardedHeaders forwarded = NotForwardedHeaders.of(IdentityConfig.defaults());

        assertThat(forwarded.onRequest).doesNotContain("x-api-key");
        assertThat(forwarded.onCacheFetch).doesNotContain("x-api-key");
        assertThat(forwarded.onCacheRefresh).doesNotContain("x-api-key");
        assertThat(NotForwardedHeaders.of(new IdentityConfig("x-client-key", false, List.of(), null)))
                .isSameAs(forwarded);
    }

    private static List<String> with(Set<String> names, String name) {
        List<String> all = new ArrayList<>(names);
        all.add(name);
        return all;
    }
}
