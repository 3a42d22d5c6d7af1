package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.resilience.RetryPolicy;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** What a failed upstream call (or a client body) met: its error code, the retry policy's failure, the outcome. */
final class FailureClassifier {
    private FailureClassifier() {
    }

    /** The error code of an attempt's failure; {@code attempt.request} is null while a connection is obtained. */
    static ErrorCode classify(Attempt attempt, Throwable cause) {
        if (cause instanceof ConnectionPoolTooBusyException) {
            return ErrorCode.UPSTREAM_OVERLOADED;
        }
        if (attempt.request == null) {
            // still obtaining a connection
            if (cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException) {
                return ErrorCode.UPSTREAM_CONNECT_TIMEOUT;
            }
            return ErrorCode.UPSTREAM_UNAVAILABLE;
        }
        if (cause instanceof TimeoutException) {
            return ErrorCode.UPSTREAM_TIMEOUT;
        }
        if (malformed(cause)) {
            return ErrorCode.UPSTREAM_BAD_RESPONSE;
        }
        if (cause instanceof HttpClosedException || cause instanceof IOException
                || cause instanceof io.vertx.core.http.StreamResetException || cause instanceof ConnectException) {
            return ErrorCode.UPSTREAM_RESET;
        }
        return ErrorCode.UPSTREAM_BAD_RESPONSE;
    }

    /** Whether the cause is bytes that do not decode as HTTP: an upstream's bad answer, or a client's bad body. */
    static boolean malformed(Throwable cause) {
        return cause instanceof DecoderException || cause instanceof TooLongFrameException
                || cause instanceof IllegalArgumentException;
    }

    /** The failure a retry policy may retry, or null for one that is never retried. */
    static RetryPolicy.Failure retryFailure(ErrorCode code) {
        return switch (code) {
            case UPSTREAM_UNAVAILABLE, UPSTREAM_CONNECT_TIMEOUT -> RetryPolicy.Failure.CONNECT_FAILURE;
            case UPSTREAM_RESET -> RetryPolicy.Failure.RESET;
            case UPSTREAM_TIMEOUT -> RetryPolicy.Failure.PER_TRY_TIMEOUT;
            default -> null;
        };
    }

    /** The attempt's outcome as the metrics and its span name it. */
    static String outcome(ErrorCode code) {
        return switch (code) {
            case UPSTREAM_UNAVAILABLE, UPSTREAM_CONNECT_TIMEOUT -> "connect_failure";
            case UPSTREAM_RESET -> "reset";
            case UPSTREAM_TIMEOUT -> "timeout";
            case UPSTREAM_OVERLOADED -> "pool_busy";
            default -> "bad_response";
        };
    }
}
