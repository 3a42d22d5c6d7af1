package dev.rampart.gateway.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What a scrape shows after requests are fed in as {@code ExchangeRecord}s. */
class GatewayMetricsTest {
    private final GatewayMetrics metrics = new GatewayMetrics("shop");

    @AfterEach
    void close() {
        metrics.close();
    }

    private Exposition scrape() {
        return Exposition.parse(metrics.scrape());
    }

    @Test
    void requestsAreCountedByRouteUpstreamMethodAndStatusClass() {
        metrics.finished(Exchanges.proxied().record());
        metrics.finished(Exchanges.proxied().status(201).record());
        metrics.finished(Exchanges.proxied().method("POST").status(503).record());
        metrics.finished(Exchanges.proxied().route("search").upstream("finder").status(404).record());

        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_requests_total", "route", "orders", "upstream", "backend", "method", "GET",
                "status_class", "2xx")).isEqualTo(2);
        assertThat(scrape.value("rampart_requests_total", "route", "orders", "method", "POST",
                "status_class", "5xx")).isEqualTo(1);
        assertThat(scrape.value("rampart_requests_total", "route", "search", "upstream", "finder", "method", "GET",
                "status_class", "4xx")).isEqualTo(1);
        assertThat(scrape.samples("rampart_requests_total")).hasSize(3);
    }

    @Test
    void requestsThatMatchedNoRouteAreLabelledNone() {
        metrics.finished(Exchanges.unrouted().record());
        metrics.finished(Exchanges.unrouted().method(null).status(400).errorCode("bad_request").record());

        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_requests_total", "route", "none", "upstream", "none", "method", "GET",
                "status_class", "4xx")).isEqualTo(1);
        assertThat(scrape.value("rampart_requests_total", "route", "none", "method", "other")).isEqualTo(1);
        assertThat(scrape.value("rampart_request_errors_total", "route", "none", "error_code", "route_not_found"))
                .isEqualTo(1);
        // they never go upstream, so they have no upstream timings and no in-flight gauge
        assertThat(scrape.has("rampart_upstream_request_duration_seconds_count", "route", "none")).isFalse();
        assertThat(scrape.has("rampart_requests_in_flight", "route", "none")).isFalse();
    }

    @Test
    void requestDurationsFallIntoBucketsFromOneMillisecondToThirtySeconds() {
        metrics.finished(Exchanges.proxied().durationMillis(0.3).record());
        metrics.finished(Exchanges.proxied().durationMillis(3).record());
        metrics.finished(Exchanges.proxied().durationMillis(45_000).record());

        Exposition scrape = scrape();
        String name = "rampart_request_duration_seconds_bucket";
        assertThat(scrape.samples(name, "route", "orders")).extracting(s -> s.labels().get("le"))
                .containsExactly("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0",
                        "2.5", "5.0", "10.0", "20.0", "30.0", "+Inf");
        assertThat(scrape.value(name, "route", "orders", "le", "0.001")).isEqualTo(1);
        assertThat(scrape.value(name, "route", "orders", "le", "0.005")).isEqualTo(2);
        assertThat(scrape.value(name, "route", "orders", "le", "30.0")).isEqualTo(2);
        assertThat(scrape.value(name, "route", "orders", "le", "+Inf")).isEqualTo(3);
        assertThat(scrape.value("rampart_request_duration_seconds_count", "route", "orders")).isEqualTo(3);
        assertThat(scrape.value("rampart_request_duration_seconds_sum", "route", "orders"))
                .isCloseTo(45.0033, within(1e-6));
    }

    @Test
    void connectTimeCountsNewConnectionsAndQueueTimeCountsPooledOnes() {
        metrics.finished(Exchanges.proxied().connectNanos(2_000_000).queueNanos(0).record());
        metrics.finished(Exchanges.proxied().connectNanos(0).queueNanos(30_000).record());
        metrics.finished(Exchanges.proxied().connectNanos(0).queueNanos(700_000).record());
        // never got a connection (the pool was full): the whole wait is queue time, and there was no attempt
        metrics.finished(Exchanges.proxied().status(503).errorCode("upstream_overloaded").connectNanos(-1)
                .queueNanos(5_000_000).firstByteNanos(-1).upstreamNanos(-1).record());

        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_upstream_connect_duration_seconds_count", "route", "orders")).isEqualTo(1);
        assertThat(scrape.value("rampart_upstream_connect_duration_seconds_sum", "route", "orders"))
                .isCloseTo(0.002, within(1e-9));
        assertThat(scrape.value("rampart_upstream_queue_duration_seconds_count", "route", "orders")).isEqualTo(3);
        assertThat(scrape.value("rampart_upstream_queue_duration_seconds_sum", "route", "orders"))
                .isCloseTo(0.00573, within(1e-9));
        assertThat(scrape.value("rampart_upstream_queue_duration_seconds_bucket", "route", "orders", "le", "1.0E-4"))
                .isEqualTo(1);
        assertThat(scrape.value("rampart_upstream_request_duration_seconds_count", "route", "orders")).isEqualTo(3);
        assertThat(scrape.value("rampart_upstream_request_duration_seconds_sum", "route", "orders"))
                .isCloseTo(0.0045, within(1e-9));
    }

    @Test
    void bodyBytesAreCountedBothWays() {
        metrics.finished(Exchanges.proxied().bytes(100, 2_000).record());
        metrics.finished(Exchanges.proxied().bytes(0, 500).record());

        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_request_body_bytes_total", "route", "orders")).isEqualTo(100);
        assertThat(scrape.value("rampart_response_body_bytes_total", "route", "orders")).isEqualTo(2_500);
    }

    @Test
    void errorsAreCountedByTheirFixedCode() {
        metrics.finished(Exchanges.proxied().status(504).errorCode("upstream_timeout").record());
        metrics.finished(Exchanges.proxied().status(504).errorCode("upstream_timeout").record());
        metrics.finished(Exchanges.proxied().status(502).errorCode("upstream_reset").record());
        metrics.finished(Exchanges.proxied().status(499).errorCode("client_closed_request").record());
        metrics.finished(Exchanges.proxied().status(500).errorCode("not-a-known-code").record());

        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_request_errors_total", "route", "orders", "error_code", "upstream_timeout"))
                .isEqualTo(2);
        assertThat(scrape.value("rampart_request_errors_total", "error_code", "upstream_reset")).isEqualTo(1);
        assertThat(scrape.value("rampart_request_errors_total", "error_code", "client_closed_request")).isEqualTo(1);
        assertThat(scrape.value("rampart_request_errors_total", "error_code", "other")).isEqualTo(1);
    }

    @Test
    void inFlightRisesWhenARequestGoesUpstreamAndFallsWhenItFinishes() {
        metrics.started("orders", "backend");
        metrics.started("orders", "backend");
        assertThat(scrape().value("rampart_requests_in_flight", "route", "orders", "upstream", "backend"))
                .isEqualTo(2);

        metrics.finished(Exchanges.proxied().record());
        // refused after routing but before an endpoint was picked (body too large): never counted as started
        metrics.finished(Exchanges.proxied().status(413).errorCode("body_too_large").endpoint(null).queueNanos(-1)
                .connectNanos(-1).firstByteNanos(-1).upstreamNanos(-1).record());

        assertThat(scrape().value("rampart_requests_in_flight", "route", "orders", "upstream", "backend"))
                .isEqualTo(1);
    }

    @Test
    void unknownMethodsStatusesErrorCodesAndPathsAddNoSeries() {
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            metrics.finished(Exchanges.proxied()
                    .method(random.nextBoolean() ? "X-METHOD-" + i : "get")
                    .path("/orders/" + random.nextLong())
                    .status(100 + random.nextInt(600))
                    .errorCode(random.nextBoolean() ? null : "made-up-" + i)
                    .record());
        }

        Exposition scrape = scrape();
        Set<String> methods = new HashSet<>();
        Set<String> statusClasses = new HashSet<>();
        scrape.samples("rampart_requests_total").forEach(s -> {
            methods.add(s.labels().get("method"));
            statusClasses.add(s.labels().get("status_class"));
        });
        assertThat(methods).containsExactly("other");
        assertThat(statusClasses).isSubsetOf(RequestLabels.STATUS_CLASSES);
        assertThat(scrape.samples("rampart_request_errors_total")).extracting(s -> s.labels().get("error_code"))
                .containsExactly("other");
        assertThat(scrape.samples().stream().filter(s -> s.name().startsWith("rampart_")).count())
                .isLessThan(150);
        assertThat(metrics.scrape()).doesNotContain("/orders/");
    }

    @Test
    void configReloadsAreCountedByResultAndTheVersionIsExposed() {
        metrics.configLoaded(1);
        assertThat(scrape().value("rampart_config_version")).isEqualTo(1);
        assertThat(scrape().value("rampart_config_reloads_total", "result", "ok")).isZero();

        metrics.configReload(true, 2);
        metrics.configReload(false, 2);
        metrics.configReload(true, 3);

        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_config_reloads_total", "result", "ok")).isEqualTo(2);
        assertThat(scrape.value("rampart_config_reloads_total", "result", "failed")).isEqualTo(1);
        assertThat(scrape.value("rampart_config_version")).isEqualTo(3);
    }

    @Test
    void theProcessAndTheJvmAreDescribed() {
        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_service_info", "service", "shop")).isEqualTo(1);
        assertThat(scrape.samples("jvm_memory_used_bytes")).isNotEmpty();
        assertThat(scrape.has("jvm_threads_live_threads")).isTrue();
        assertThat(scrape.has("jvm_gc_memory_allocated_bytes_total")).isTrue();
        assertThat(scrape.value("process_cpu_seconds_total")).isPositive();
        assertThat(scrape.has("process_cpu_usage")).isTrue();
        assertThat(scrape.has("process_uptime_seconds")).isTrue();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void residentMemoryAndOpenFilesAreReadFromLinux() {
        Exposition scrape = scrape();
        assertThat(scrape.value("rampart_process_resident_memory_bytes")).isGreaterThan(1024 * 1024);
        assertThat(scrape.value("process_files_open_files")).isPositive();
    }

    @Test
    void scrapeIsTheTextFormatItsContentTypeNames() {
        metrics.finished(Exchanges.proxied().record());

        assertThat(metrics.contentType()).isEqualTo(PrometheusTextFormatWriter.CONTENT_TYPE);
        assertThat(metrics.scrape()).contains("# TYPE rampart_request_duration_seconds histogram\n");
    }

    @Test
    void everySeriesPassesPromtool() throws IOException, InterruptedException {
        metrics.configLoaded(1);
        metrics.started("orders", "backend");
        metrics.finished(Exchanges.proxied().bytes(10, 20).connectNanos(1_000_000).record());
        metrics.finished(Exchanges.proxied().status(504).errorCode("upstream_timeout").record());
        metrics.finished(Exchanges.unrouted().record());

        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            Assumptions.abort("promtool is not on the PATH (Debian package prometheus)");
            return;
        }
        try (var in = promtool.getOutputStream()) {
            in.write(metrics.scrape().getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as(output).isZero();
    }
}
