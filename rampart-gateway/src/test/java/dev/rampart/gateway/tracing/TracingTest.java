package dev.rampart.gateway.tracing;

import dev.rampart.core.config.TracePropagation;
import dev.rampart.core.config.TracingConfig;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TracingTest {
    private static final String PARENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_SPAN = "b7ad6b7169203331";

    @Test
    void withExportOffEveryRequestStillGetsIdsThatReachTheUpstream() {
        try (Tracing tracing = Tracing.create("t", TracingConfig.defaults())) {
            Span server = tracing.startServerSpan(tracing.extract(HttpHeaders.headers()), "GET", 0);
            Span client = tracing.startClientSpan(server, "GET", 1);
            MultiMap upstream = HttpHeaders.headers();
            tracing.inject(client, upstream);

            assertThat(server.getSpanContext().isValid()).isTrue();
            assertThat(client.getSpanContext().getTraceId()).isEqualTo(server.getSpanContext().getTraceId());
            // flags: not sampled (bit 0 clear); bit 1 may say the trace id is random (W3C Trace Context level 2)
            assertThat(upstream.get("traceparent")).matches(
                    "00-" + server.getSpanContext().getTraceId() + "-" + client.getSpanContext().getSpanId() + "-0[02]");
        }
    }

    @Test
    void atAFullRatioEveryRootIsRecordedAndAtZeroNoneIsButAllGetValidIds() {
        TracingConfig all = new TracingConfig(URI.create("http://127.0.0.1:1/v1/traces"), 1.0, Duration.ofMillis(200), 10);
        TracingConfig none = new TracingConfig(URI.create("http://127.0.0.1:1/v1/traces"), 0.0, Duration.ofMillis(200), 10);
        try (Tracing sampled = Tracing.create("t", all); Tracing unsampled = Tracing.create("t", none)) {
            for (int i = 0; i < 200; i++) {
                Span kept = sampled.startServerSpan(sampled.extract(HttpHeaders.headers()), "GET", 0);
                Span dropped = unsampled.startServerSpan(unsampled.extract(HttpHeaders.headers()), "GET", 0);

                assertThat(kept.isRecording()).isTrue();
                assertThat(kept.getSpanContext().isSampled()).isTrue();
                assertThat(sampled.startClientSpan(kept, "GET", 1).isRecording()).isTrue();
                assertThat(dropped.isRecording()).isFalse();
                assertThat(dropped.getSpanContext().isValid()).isTrue();
                assertThat(unsampled.startClientSpan(dropped, "GET", 1).getSpanContext().getTraceId())
                        .isEqualTo(dropped.getSpanContext().getTraceId());
                kept.end();
            }
        }
    }

    @Test
    void halfTheRootsAreSampledAtAFiftyPercentRatioEachByItsOwnTraceId() {
        TracingConfig half = new TracingConfig(URI.create("http://127.0.0.1:1/v1/traces"), 0.5, Duration.ofMillis(200), 10);
        try (Tracing tracing = Tracing.create("t", half)) {
            int recorded = 0;
            for (int i = 0; i < 4000; i++) {
                Span span = tracing.startServerSpan(tracing.extract(HttpHeaders.headers()), "GET", 0);
                // the decision is the one the trace id implies, whichever path made the span
                boolean implied = io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(0.5).shouldSample(
                        io.opentelemetry.context.Context.root(), span.getSpanContext().getTraceId(), "GET",
                        io.opentelemetry.api.trace.SpanKind.SERVER, io.opentelemetry.api.common.Attributes.empty(),
                        java.util.List.of()).getDecision()
                        == io.opentelemetry.sdk.trace.samplers.SamplingDecision.RECORD_AND_SAMPLE;
                assertThat(span.getSpanContext().isSampled()).isEqualTo(implied);
                recorded += span.isRecording() ? 1 : 0;
                span.end();
            }
            assertThat(recorded).isBetween(1800, 2200);
        }
    }

    @Test
    void anIncomingSampledParentIsContinuedAndSampledEvenAtALowRatio() {
        TracingConfig config = new TracingConfig(URI.create("http://127.0.0.1:1/v1/traces"), 0.0, Duration.ofMillis(200), 10);
        try (Tracing tracing = Tracing.create("t", config)) {
            MultiMap incoming = HttpHeaders.headers().add("traceparent", "00-" + PARENT_TRACE + "-" + PARENT_SPAN + "-01");

            Span server = tracing.startServerSpan(tracing.extract(incoming), "GET", 0);

            assertThat(server.getSpanContext().getTraceId()).isEqualTo(PARENT_TRACE);
            assertThat(server.getSpanContext().isSampled()).isTrue();
            server.end();
        }
    }

    @Test
    void withB3ConfiguredAnIncomingB3ParentIsContinuedAndBothFormatsGoUpstream() {
        TracingConfig config = new TracingConfig(null, 0.01, Duration.ofSeconds(1), 10, TracingConfig.DEFAULT_EXPORT_INTERVAL,
                Set.of(TracePropagation.TRACECONTEXT, TracePropagation.B3, TracePropagation.B3_MULTI));
        try (Tracing tracing = Tracing.create("t", config)) {
            MultiMap incoming = HttpHeaders.headers().add("b3", PARENT_TRACE + "-" + PARENT_SPAN + "-1");

            Span server = tracing.startServerSpan(tracing.extract(incoming), "GET", 0);
            Span client = tracing.startClientSpan(server, "GET", 1);
            MultiMap upstream = HttpHeaders.headers();
            tracing.inject(client, upstream);

            assertThat(server.getSpanContext().getTraceId()).isEqualTo(PARENT_TRACE);
            assertThat(server.getSpanContext().isSampled()).isTrue();
            String spanId = client.getSpanContext().getSpanId();
            assertThat(upstream.get("traceparent")).isEqualTo("00-" + PARENT_TRACE + "-" + spanId + "-01");
            assertThat(upstream.get("b3")).isEqualTo(PARENT_TRACE + "-" + spanId + "-1");
            assertThat(upstream.get("X-B3-TraceId")).isEqualTo(PARENT_TRACE);
            assertThat(upstream.get("X-B3-SpanId")).isEqualTo(spanId);
            assertThat(upstream.get("X-B3-Sampled")).isEqualTo("1");
        }
    }

    @Test
    void withOnlyTraceContextB3HeadersAreNeitherReadNorWritten() {
        try (Tracing tracing = Tracing.create("t", TracingConfig.defaults())) {
            MultiMap incoming = HttpHeaders.headers().add("b3", PARENT_TRACE + "-" + PARENT_SPAN + "-1");

            Span server = tracing.startServerSpan(tracing.extract(incoming), "GET", 0);
            MultiMap upstream = HttpHeaders.headers();
            tracing.inject(tracing.startClientSpan(server, "GET", 1), upstream);

            assertThat(server.getSpanContext().getTraceId()).isNotEqualTo(PARENT_TRACE);
            assertThat(upstream.contains("b3")).isFalse();
        }
    }

    @Test
    void aMalformedTraceparentStartsANewTrace() {
        try (Tracing tracing = Tracing.create("t", TracingConfig.defaults())) {
            MultiMap incoming = HttpHeaders.headers().add("traceparent", "00-zz-not-a-trace-01");

            Span server = tracing.startServerSpan(tracing.extract(incoming), "GET", 0);

            assertThat(server.getSpanContext().isValid()).isTrue();
            assertThat(server.getSpanContext().getTraceId()).isNotEqualTo(PARENT_TRACE);
        }
    }
}
