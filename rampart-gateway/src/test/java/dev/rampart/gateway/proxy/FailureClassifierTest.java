package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.resilience.RetryPolicy;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTest {

    private static Attempt waitingForConnection() {
        return new Attempt(1, Attempt.Kind.FIRST, null, null, 0);
    }

    private static Attempt connected() {
        Attempt attempt = waitingForConnection();
        attempt.request = (HttpClientRequest) Proxy.newProxyInstance(HttpClientRequest.class.getClassLoader(),
                new Class<?>[]{HttpClientRequest.class}, (proxy, method, args) -> null);
        return attempt;
    }

    @Test
    void aFullPoolIsOverloadWhateverTheStage() {
        ConnectionPoolTooBusyException busy = new ConnectionPoolTooBusyException("busy");
        assertThat(FailureClassifier.classify(waitingForConnection(), busy)).isEqualTo(ErrorCode.UPSTREAM_OVERLOADED);
        assertThat(FailureClassifier.classify(connected(), busy)).isEqualTo(ErrorCode.UPSTREAM_OVERLOADED);
    }

    @Test
    void failuresBeforeAConnectionAreConnectTimeoutsOrUnavailable() {
        assertThat(FailureClassifier.classify(waitingForConnection(), new TimeoutException()))
                .isEqualTo(ErrorCode.UPSTREAM_CONNECT_TIMEOUT);
        assertThat(FailureClassifier.classify(waitingForConnection(), new IOException()))
                .isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
    }

    @Test
    void failuresOnAConnectionAreTimeoutsBadResponsesOrResets() {
        assertThat(FailureClassifier.classify(connected(), new TimeoutException())).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
        assertThat(FailureClassifier.classify(connected(), new DecoderException())).isEqualTo(ErrorCode.UPSTREAM_BAD_RESPONSE);
        assertThat(FailureClassifier.classify(connected(), new HttpClosedException("closed")))
                .isEqualTo(ErrorCode.UPSTREAM_RESET);
        assertThat(FailureClassifier.classify(connected(), new IllegalStateException()))
                .isEqualTo(ErrorCode.UPSTREAM_BAD_RESPONSE);
    }

    @Test
    void onlyConnectFailuresResetsAndTimeoutsAreRetryable() {
        assertThat(FailureClassifier.retryFailure(ErrorCode.UPSTREAM_CONNECT_TIMEOUT))
                .isEqualTo(RetryPolicy.Failure.CONNECT_FAILURE);
        assertThat(FailureClassifier.retryFailure(ErrorCode.UPSTREAM_RESET)).isEqualTo(RetryPolicy.Failure.RESET);
        assertThat(FailureClassifier.retryFailure(ErrorCode.UPSTREAM_OVERLOADED)).isNull();
        assertThat(FailureClassifier.retryFailure(ErrorCode.UPSTREAM_BAD_RESPONSE)).isNull();
        assertThat(FailureClassifier.outcome(ErrorCode.UPSTREAM_OVERLOADED)).isEqualTo("pool_busy");
    }
}
