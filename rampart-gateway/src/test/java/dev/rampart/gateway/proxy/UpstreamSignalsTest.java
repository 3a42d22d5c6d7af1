package dev.rampart.gateway.proxy;

import io.vertx.core.http.HttpClientResponse;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamSignalsTest {

    private static HttpClientResponse answerWith(Map<String, String> headers) {
        return (HttpClientResponse) Proxy.newProxyInstance(HttpClientResponse.class.getClassLoader(),
                new Class<?>[]{HttpClientResponse.class},
                (proxy, method, args) -> method.getName().equals("getHeader") && args[0] instanceof String name
                        ? headers.get(name) : null);
    }

    @Test
    void eitherOverloadHeaderMarksAnAnswerOverloaded() {
        assertThat(UpstreamSignals.overloaded(answerWith(Map.of("x-envoy-overloaded", "true")))).isTrue();
        assertThat(UpstreamSignals.overloaded(answerWith(Map.of("x-rampart-overloaded", "1")))).isTrue();
        assertThat(UpstreamSignals.overloaded(answerWith(Map.of()))).isFalse();
    }

    @Test
    void retryAfterIsReadOnlyFrom503And429() {
        HttpClientResponse answer = answerWith(Map.of("retry-after", "2"));
        assertThat(UpstreamSignals.retryAfterNanos(answer, 503)).isEqualTo(2_000_000_000L);
        assertThat(UpstreamSignals.retryAfterNanos(answer, 429)).isEqualTo(2_000_000_000L);
        assertThat(UpstreamSignals.retryAfterNanos(answer, 502)).isEqualTo(-1);
    }
}
