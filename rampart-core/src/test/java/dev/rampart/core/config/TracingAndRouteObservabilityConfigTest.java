package dev.rampart.core.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TracingAndRouteObservabilityConfigTest {
    private static final String BASE = """
            upstreams:
              pricing: { endpoints: [ "http://127.0.0.1:7001" ] }
            routes:
              - id: price
                upstream: pricing
            """;

    @Test
    void withoutATracingSectionSpansAreNotExportedAndOnePercentIsSampled() {
        RampartConfig config = ConfigLoader.parse(BASE, "t.yaml").config();

        assertThat(config.tracing().exportEnabled()).isFalse();
        assertThat(config.tracing().sampleRatio()).isEqualTo(0.01);
        assertThat(config.tracing().exportTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aTracingSectionBindsEveryKey() {
        RampartConfig config = ConfigLoader.parse("""
                tracing: { endpoint: "http://127.0.0.1:4318/v1/traces", sample-ratio: 25%, export-timeout: 2s, max-queue-size: 100, export-interval: 250ms }
                """ + BASE, "t.yaml").config();

        assertThat(config.tracing()).isEqualTo(new TracingConfig(URI.create("http://127.0.0.1:4318/v1/traces"), 0.25,
                Duration.ofSeconds(2), 100, Duration.ofMillis(250), TracingConfig.DEFAULT_PROPAGATORS));
    }

    @Test
    void b3PropagationIsOptInAndTraceContextStaysWhenListed() {
        assertThat(ConfigLoader.parse(BASE, "t.yaml").config().tracing().propagators())
                .containsExactly(TracePropagation.TRACECONTEXT);

        RampartConfig config = ConfigLoader.parse("""
                tracing: { propagators: [tracecontext, b3, b3multi] }
                """ + BASE, "t.yaml").config();

        assertThat(config.tracing().propagators()).containsExactlyInAnyOrder(TracePropagation.TRACECONTEXT,
                TracePropagation.B3, TracePropagation.B3_MULTI);
    }

    @Test
    void anUnknownPropagatorIsReportedWithWhatIsAllowed() {
        ConfigResult result = ConfigLoader.parse("""
                tracing: { propagators: [tracecontext, jaeger] }
                """ + BASE, "t.yaml");

        assertThat(result.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("tracing.propagators[1]");
            assertThat(error.format()).contains("tracecontext", "b3multi").contains(":1:");
        });
    }

    @Test
    void aBadTracingEndpointAndRatioAreBothReported() {
        ConfigResult result = ConfigLoader.parse("""
                tracing: { endpoint: "ftp://collector", sample-ratio: 150% }
                """ + BASE, "t.yaml");

        assertThat(result.errors()).extracting(ConfigError::path)
                .containsExactly("tracing.endpoint", "tracing.sample-ratio");
    }

    @Test
    void metricsAreOnByDefaultAndCanBeTurnedOff() {
        assertThat(ConfigLoader.parse(BASE, "t.yaml").config().metrics().enabled()).isTrue();
        assertThat(ConfigLoader.parse("metrics: { enabled: false }\n" + BASE, "t.yaml").config().metrics().enabled())
                .isFalse();
    }

    @Test
    void routesMaskUpstreamErrorsAndOmitServerTimingByDefault() {
        RouteConfig route = ConfigLoader.parse(BASE, "t.yaml").config().routes().get(0);

        assertThat(route.maskUpstreamErrors()).isTrue();
        assertThat(route.serverTiming()).isFalse();
    }

    @Test
    void aRouteCanTurnOnServerTimingAndPassUpstreamErrorsThrough() {
        RouteConfig route = ConfigLoader.parse(BASE + "    server-timing: true\n    mask-upstream-errors: false\n",
                "t.yaml").config().routes().get(0);

        assertThat(route.serverTiming()).isTrue();
        assertThat(route.maskUpstreamErrors()).isFalse();
    }
}
