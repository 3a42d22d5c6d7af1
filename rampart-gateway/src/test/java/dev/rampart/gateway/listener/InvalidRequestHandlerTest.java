package dev.rampart.gateway.listener;

import dev.rampart.gateway.errors.ErrorCode;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidRequestHandlerTest {

    @Test
    void decoderFailuresMapToTheStatusNginxWouldSend() {
        assertThat(InvalidRequestHandler.classify(new TooLongHttpHeaderException("x"))).isEqualTo(ErrorCode.HEADERS_TOO_LARGE);
        assertThat(InvalidRequestHandler.classify(new TooLongHttpLineException("x"))).isEqualTo(ErrorCode.URI_TOO_LONG);
        assertThat(InvalidRequestHandler.classify(new IllegalArgumentException("bad"))).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(InvalidRequestHandler.classify(null)).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(InvalidRequestHandler.classify(new RequestRejected(ErrorCode.AMBIGUOUS_LENGTH, "cl+te")))
                .isEqualTo(ErrorCode.AMBIGUOUS_LENGTH);
    }
}
