package dev.rampart.it;

import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} on the admin port after real traffic: a valid Prometheus exposition (as {@code promtool}
 * checks it) with the series and values that traffic must have produced, and labels only from the config.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
            "TRACE", "CONNECT", "other");
    private static final int PRICES = 5;

    private static final Upstreams upstreams = new Upstreams();
    private static String pricing;
    private static RampartProcess gateway;

    @BeforeAll
    static void startGatewayAndSendTraffic() {
        pricing = upstreams.demoUrl("pricing");
        gateway = RampartProcess.gateway(config("metrics-it", "")).name("MetricsIT").args("--event-loops", "2")
                .start();

        for (int i = 0; i < PRICES; i++) {
            assertThat(gateway.get("/prices/" + i).statusCode()).isEqualTo(200);
        }
        assertThat(gateway.get("/nowhere").statusCode()).isEqualTo(404);
        // the demo service answers after 2 s; the route's first-byte timeout is 300 ms
        assertThat(gateway.get("/slow/prices/1?latency=2s").statusCode()).isEqualTo(504);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    /**
     * Routes to the demo pricing service: prices, slow (300 ms to the first byte) and anything (for the cardinality
     * test, so its traffic leaves the others' counts alone); then {@code extraRoutes}.
     */
    private static String config(String service, String extraRoutes) {
        return """
                service: %s
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  pricing: { endpoints: [ "%s" ] }
                routes:
                  - id: prices
                    match: { prefix: /prices/ }
                    upstream: pricing
                  - id: slow
                    match: { prefix: /slow/ }
                    upstream: pricing
                    strip-prefix: /slow
                    timeouts: { first-byte: 300ms }
                  - id: anything
                    match: { prefix: /anything/ }
                    upstream: pricing
                    strip-prefix: /anything
                %s""".formatted(service, pricing, extraRoutes);
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() {
        HttpResponse<String> response = scrapeResponse(gateway);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(CONTENT_TYPE);
        assertThat(response.body()).contains("# TYPE rampart_requests_total counter\n");
    }

    @Test
    void theExpositionPassesPromtool() throws IOException, InterruptedException {
        String exposition = scrapeResponse(gateway).body();
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            Assumptions.abort("promtool is not on the PATH: install the Debian package prometheus "
                    + "(apt-get install -y prometheus) to validate the exposition");
            return;
        }
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(promtool.exitValue()).as("promtool check metrics said:\n%s", verdict).isZero();
    }

    @Test
    void requestsAreCountedByRouteMethodAndStatusClass() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_requests_total", "route", "prices", "upstream", "pricing",
                    "method", "GET", "status_class", "2xx")).isEqualTo(PRICES);
            assertThat(scrape.value("rampart_requests_total", "route", "slow", "upstream", "pricing",
                    "method", "GET", "status_class", "5xx")).isEqualTo(1);
            assertThat(scrape.value("rampart_requests_total", "route", "none", "upstream", "none",
                    "method", "GET", "status_class", "4xx")).isGreaterThanOrEqualTo(1);
        });
    }

    @Test
    void errorsAreCountedByTheirCode() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_request_errors_total", "route", "slow", "error_code", "upstream_timeout"))
                    .isEqualTo(1);
            assertThat(scrape.value("rampart_request_errors_total", "route", "none", "error_code", "route_not_found"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(scrape.has("rampart_request_errors_total", "route", "prices")).isFalse();
        });
    }

    @Test
    void durationsAreHistogramsInSeconds() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_request_duration_seconds_count", "route", "prices")).isEqualTo(PRICES);
            assertThat(scrape.value("rampart_request_duration_seconds_bucket", "route", "prices", "le", "+Inf"))
                    .isEqualTo(PRICES);
            assertThat(scrape.value("rampart_request_duration_seconds_sum", "route", "prices"))
                    .isPositive().isLessThan(PRICES * 5.0);
            // cut off at the 300 ms first-byte timeout: longer than that, and far shorter than the 2 s answer
            assertThat(scrape.value("rampart_request_duration_seconds_bucket", "route", "slow", "le", "0.25"))
                    .isZero();
            assertThat(scrape.value("rampart_request_duration_seconds_sum", "route", "slow")).isBetween(0.3, 1.9);

            assertThat(scrape.value("rampart_upstream_request_duration_seconds_count", "route", "prices"))
                    .isEqualTo(PRICES);
            // every upstream call either opened a connection or took a pooled one: the first one had to open one
            double connects = scrape.value("rampart_upstream_connect_duration_seconds_count", "route", "prices");
            double pooled = scrape.value("rampart_upstream_queue_duration_seconds_count", "route", "prices");
            assertThat(connects).isGreaterThanOrEqualTo(1);
            assertThat(connects + pooled).isEqualTo(PRICES);
        });
    }

    @Test
    void bytesAreCountedBothWays() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_response_body_bytes_total", "route", "prices")).isPositive();
            assertThat(scrape.value("rampart_request_body_bytes_total", "route", "prices")).isZero();
        });
    }

    @Test
    void nothingIsInFlightOnceTheTrafficIsDone() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_requests_in_flight", "route", "prices", "upstream", "pricing")).isZero();
            assertThat(scrape.value("rampart_requests_in_flight", "route", "slow", "upstream", "pricing")).isZero();
            assertThat(scrape.value("rampart_upstream_requests_in_flight", "upstream", "pricing",
                    "endpoint", pricing)).isZero();
        });
    }

    @Test
    void theUpstreamPoolIsDescribedPerEndpoint() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_upstream_pool_max_connections", "upstream", "pricing",
                    "endpoint", pricing)).isEqualTo(64);
            // the prices route's keep-alive connection stays open; nothing uses it or waits for one now
            assertThat(scrape.value("rampart_upstream_pool_open_connections", "upstream", "pricing",
                    "endpoint", pricing)).isGreaterThanOrEqualTo(1);
            assertThat(scrape.value("rampart_upstream_pool_busy_connections", "upstream", "pricing",
                    "endpoint", pricing)).isZero();
            assertThat(scrape.value("rampart_upstream_pool_waiting_requests", "upstream", "pricing",
                    "endpoint", pricing)).isZero();
        });
    }

    @Test
    void theProcessItselfIsDescribed() {
        awaitScrape(gateway, scrape -> {
            assertThat(scrape.value("rampart_service_info", "service", "metrics-it")).isEqualTo(1);
            assertThat(scrape.value("rampart_config_version")).isEqualTo(gateway.configVersion());
            assertThat(scrape.value("rampart_process_resident_memory_bytes")).isGreaterThan(16 * 1024 * 1024);
            assertThat(scrape.value("process_cpu_seconds_total")).isPositive();
            assertThat(scrape.value("process_files_open_files")).isPositive();
            assertThat(scrape.samples("jvm_memory_used_bytes", "area", "heap")).isNotEmpty();
            assertThat(scrape.value("jvm_threads_live_threads")).isPositive();
            assertThat(scrape.has("jvm_gc_memory_allocated_bytes_total")).isTrue();
            // one lag probe per event loop (--event-loops 2), each firing every 100 ms
            assertThat(scrape.value("rampart_event_loop_lag_seconds_count", "event_loop", "0")).isPositive();
            assertThat(scrape.value("rampart_event_loop_lag_seconds_count", "event_loop", "1")).isPositive();
            assertThat(scrape.has("rampart_event_loop_lag_seconds_count", "event_loop", "2")).isFalse();
        });
    }

    @Test
    void pathsMethodsAndHeadersNeverBecomeLabels() {
        String marker = "m" + UUID.randomUUID().toString().replace("-", "");
        for (int i = 0; i < 20; i++) {
            gateway.get("/anything/prices/" + marker + i, "x-tenant", marker);
            gateway.get("/" + marker + "/" + i);
        }
        for (String method : List.of("PURGE", "BREW", "get")) {
            try (RawHttp connection = RawHttp.connect(gateway.port())) {
                connection.send(RawHttp.request(method, "/anything/prices/" + marker, "Host: gateway.test",
                        "Connection: close")).readResponse();
            }
        }

        awaitScrape(gateway, scrape -> {
            assertThat(scrape.samples("rampart_requests_total", "route", "anything", "method", "GET").stream()
                    .mapToDouble(Exposition.Sample::value).sum()).isEqualTo(20);
            assertThat(scrape.value("rampart_requests_total", "route", "anything", "method", "other"))
                    .isGreaterThanOrEqualTo(2);
            Set<String> methods = new HashSet<>();
            Set<String> routes = new HashSet<>();
            for (Exposition.Sample sample : scrape.samples("rampart_requests_total")) {
                methods.add(sample.labels().get("method"));
                routes.add(sample.labels().get("route"));
            }
            assertThat(methods).isSubsetOf(METHODS);
            assertThat(routes).isSubsetOf("prices", "slow", "anything", "none");
        });
        assertThat(scrapeResponse(gateway).body()).doesNotContain(marker);
    }

    @Test
    void configReloadsAreCountedByResultWithTheVersionInUse() {
        try (RampartProcess reloading = RampartProcess.gateway(config("metrics-reload-it", ""))
                .name("MetricsIT-reload").start()) {
            awaitScrape(reloading, scrape -> {
                assertThat(scrape.value("rampart_config_version")).isEqualTo(1);
                assertThat(scrape.value("rampart_config_reloads_total", "result", "ok")).isZero();
                assertThat(scrape.value("rampart_config_reloads_total", "result", "failed")).isZero();
            });

            reloading.writeConfig(config("metrics-reload-it", """
                      - id: echo
                        match: { prefix: /echo/ }
                        upstream: pricing
                    """));
            await().atMost(Duration.ofSeconds(5)).until(() -> reloading.configVersion() == 2);
            reloading.writeConfig(config("metrics-reload-it", """
                      - id: broken
                        upstream: pricing
                        timeouts: { total: forever }
                    """));

            awaitScrape(reloading, scrape -> {
                assertThat(scrape.value("rampart_config_reloads_total", "result", "ok")).isEqualTo(1);
                assertThat(scrape.value("rampart_config_reloads_total", "result", "failed")).isEqualTo(1);
                assertThat(scrape.value("rampart_config_version")).isEqualTo(2);
            });
        }
    }

    // ---- scraping ------------------------------------------------------------------------------------------------

    private static HttpResponse<String> scrapeResponse(RampartProcess process) {
        return RampartProcess.send(HttpRequest.newBuilder(process.adminUri("/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build());
    }

    /** Scrapes until the assertions hold: a request is counted right after its last byte is sent, not before. */
    private static void awaitScrape(RampartProcess process, Consumer<Exposition> assertions) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            HttpResponse<String> response = scrapeResponse(process);
            assertThat(response.statusCode()).as("GET /metrics on the admin port").isEqualTo(200);
            assertions.accept(Exposition.parse(response.body()));
        });
    }

    /** A Prometheus text exposition read back into samples. */
    record Exposition(List<Sample> samples) {
        private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        record Sample(String name, Map<String, String> labels, double value) {
        }

        static Exposition parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher matcher = LINE.matcher(line);
                if (!matcher.matches()) {
                    throw new AssertionError("not a sample line: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (matcher.group(2) != null) {
                    Matcher label = LABEL.matcher(matcher.group(2));
                    while (label.find()) {
                        labels.put(label.group(1), label.group(2));
                    }
                }
                samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
            }
            return new Exposition(List.copyOf(samples));
        }

        /** The samples of this name carrying (at least) these labels, given as name, value pairs. */
        List<Sample> samples(String name, String... labels) {
            List<Sample> found = new ArrayList<>();
            for (Sample sample : samples) {
                if (sample.name().equals(name) && hasLabels(sample, labels)) {
                    found.add(sample);
                }
            }
            return found;
        }

        /** The value of the one sample of this name with these labels; fails if there is none or several. */
        double value(String name, String... labels) {
            List<Sample> found = samples(name, labels);
            if (found.size() != 1) {
                throw new AssertionError("expected one sample " + name + " " + List.of(labels) + ", found " + found);
            }
            return found.get(0).value();
        }

        boolean has(String name, String... labels) {
            return !samples(name, labels).isEmpty();
        }

        private static boolean hasLabels(Sample sample, String[] labels) {
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }
    }
}
