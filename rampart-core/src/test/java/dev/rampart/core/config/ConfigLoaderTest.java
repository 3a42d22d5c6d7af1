package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String FULL = """
            service: checkout-edge
            listen:
              host: 127.0.0.2
              port: 8081
              header-read-timeout: 5s
              keep-alive-idle: 2m
              max-header-size: 32KiB
              drain-timeout: 30s
            admin:
              bind: 0.0.0.0
              port: 9091
            access-log:
              enabled: false
              query-string: true
              secret-headers: [ X-Api-Key, X-Session ]
            upstreams:
              pricing:
                endpoints: [ "http://127.0.0.1:7001", "https://API.example.com", "http://[::1]:7003/" ]
                load-balancer: least-request
                pool: { max-connections: 8, max-waiting: 0, idle-timeout: 90s }
                tls: { verify: false }
              inventory:
                endpoints: [ "http://127.0.0.1:7002" ]
            routes:
              - id: price
                match:
                  host: [ API.example.com, "*.shop.example" ]
                  path: /v1/prices/*
                  methods: [ GET, HEAD ]
                  headers: { X-Canary: "true" }
                upstream: pricing
                strip-prefix: /v1
                timeouts: { connect: 250ms, first-byte: 1s, idle: 3s, total: 2s }
                max-body-size: 0
              - id: stock
                match: { prefix: /v1/stock/ }
                upstream: inventory
                rewrite: { regex: "^/v1/(.*)$", replacement: "/api/$1" }
                max-body-size: 1MiB
              - id: health
                match: { path: /healthz, methods: GET }
                upstream: inventory
            """;

    @Test
    void fullConfigBindsToTheExpectedRecords() {
        RampartConfig config = valid(FULL);

        assertThat(config.service()).isEqualTo("checkout-edge");
        assertThat(config.listen()).isEqualTo(new ListenConfig("127.0.0.2", 8081, Duration.ofSeconds(5),
                Duration.ofMinutes(2), 32 * 1024, Duration.ofSeconds(30)));
        assertThat(config.admin()).isEqualTo(new AdminConfig("0.0.0.0", 9091));
        assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(false, true, List.of("x-api-key", "x-session")));

        assertThat(config.upstreams()).containsOnlyKeys("pricing", "inventory");
        assertThat(config.upstreams().keySet()).containsExactly("pricing", "inventory");
        assertThat(config.upstreams().get("pricing")).isEqualTo(new UpstreamConfig("pricing",
                List.of(new Endpoint(false, "127.0.0.1", 7001), new Endpoint(true, "api.example.com", 443),
                        new Endpoint(false, "::1", 7003)),
                LoadBalancing.LEAST_REQUEST, new PoolConfig(8, 0, Duration.ofSeconds(90)), false, null, null,
                CircuitBreakerConfig.defaults(), OutlierDetectionConfig.defaults(), RetryBudgetConfig.defaults(), null));
        assertThat(config.upstreams().get("inventory")).isEqualTo(new UpstreamConfig("inventory",
                List.of(new Endpoint(false, "127.0.0.1", 7002)), LoadBalancing.ROUND_ROBIN, PoolConfig.defaults(),
                true, null, null, CircuitBreakerConfig.defaults(), OutlierDetectionConfig.defaults(),
                RetryBudgetConfig.defaults(), null));

        assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("price", "stock", "health");
        RouteConfig price = config.routes().get(0);
        assertThat(price.match().hosts()).containsExactly("api.example.com", "*.shop.example");
        assertThat(price.match().path()).isEqualTo(new PathPattern.Glob("/v1/prices/*"));
        assertThat(price.match().methods()).containsExactlyInAnyOrder("GET", "HEAD");
        assertThat(price.match().headers()).containsExactly(entry("x-canary", "true"));
        assertThat(price.upstream()).isEqualTo("pricing");
        assertThat(price.rewrite()).isEqualTo(new PathRewrite.StripPrefix("/v1"));
        assertThat(price.timeouts()).isEqualTo(new TimeoutsConfig(Duration.ofMillis(250), Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(2)));
        assertThat(price.maxBodySize()).isZero();

        RouteConfig stock = config.routes().get(1);
        assertThat(stock.match()).isEqualTo(new RouteMatch(List.of(), new PathPattern.Prefix("/v1/stock/"),
                Set.of(), java.util.Map.of()));
        assertThat(stock.upstream()).isEqualTo("inventory");
        assertThat(stock.rewrite()).isInstanceOfSatisfying(PathRewrite.RegexRewrite.class, rewrite -> {
            assertThat(rewrite.regex().pattern()).isEqualTo("^/v1/(.*)$");
            assertThat(rewrite.replacement()).isEqualTo("/api/$1");
        });
        assertThat(stock.timeouts()).isEqualTo(TimeoutsConfig.defaults());
        assertThat(stock.maxBodySize()).isEqualTo(1024 * 1024);

        RouteConfig health = config.routes().get(2);
        assertThat(health.match().path()).isEqualTo(new PathPattern.Exact("/healthz"));
        assertThat(health.match().methods()).containsExactly("GET");
        assertThat(health.rewrite()).isNull();
    }

    @Test
    void defaultsApplyWhenKeysAreAbsent() {
        RampartConfig config = valid(MINIMAL);

        assertThat(config.service()).isEqualTo(RampartConfig.DEFAULT_SERVICE).isEqualTo("rampart");
        assertThat(config.listen()).isEqualTo(ListenConfig.defaults());
        assertThat(config.listen()).isEqualTo(new ListenConfig("0.0.0.0", 8080, Duration.ofSeconds(10),
                Duration.ofSeconds(60), 16 * 1024, Duration.ofSeconds(15)));
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9090));
        assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(true, false, List.of()));
        assertThat(config.upstreams().get("pricing")).isEqualTo(new UpstreamConfig("pricing",
                List.of(new Endpoint(false, "127.0.0.1", 7001)), LoadBalancing.ROUND_ROBIN,
                new PoolConfig(64, 1024, Duration.ofSeconds(60)), true, null, null, CircuitBreakerConfig.defaults(),
                OutlierDetectionConfig.defaults(), RetryBudgetConfig.defaults(), null));
        RouteConfig route = config.routes().get(0);
        assertThat(route.match()).isEqualTo(new RouteMatch(List.of(), null, Set.of(), java.util.Map.of()));
        assertThat(route.rewrite()).isNull();
        assertThat(route.timeouts()).isEqualTo(new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(15)));
        assertThat(route.maxBodySize()).isEqualTo(10L * 1024 * 1024);
    }

    @Test
    void sectionsWithNoValueMeanAllDefaults() {
        RampartConfig config = valid("""
                listen:
                admin:
                access-log:
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001" ]
                    pool:
                    tls:
                routes:
                  - id: price
                    upstream: pricing
                    match:
                    timeouts:
                """);

        assertThat(config.listen()).isEqualTo(ListenConfig.defaults());
        assertThat(config.admin()).isEqualTo(AdminConfig.defaults());
        assertThat(config.accessLog()).isEqualTo(AccessLogConfig.defaults());
        assertThat(config.upstreams().get("pricing").pool()).isEqualTo(PoolConfig.defaults());
        assertThat(config.upstreams().get("pricing").tlsVerify()).isTrue();
        assertThat(config.routes().get(0).match().path()).isNull();
        assertThat(config.routes().get(0).timeouts()).isEqualTo(TimeoutsConfig.defaults());
    }

    @Test
    void routesKeepTheirFileOrderSoTheFirstMatchWins() {
        RampartConfig config = valid(MINIMAL + """
                  - id: zeta
                    upstream: pricing
                  - id: alpha
                    upstream: pricing
                """);

        assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("price", "zeta", "alpha");
    }

    @Test
    void loadReadsTheFileAsUtf8AndNamesItInErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rampart.yaml");
        Files.writeString(file, "service: café\n" + MINIMAL, StandardCharsets.UTF_8);

        ConfigResult result = ConfigLoader.load(file);

        assertThat(result.errors()).singleElement().satisfies(error -> {
            assertThat(error.file()).isEqualTo(file.toString());
            assertThat(error.format()).startsWith(file + ":1:10: service: café (expected: ");
        });
    }

    @Test
    void loadAcceptsAByteOrderMark(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rampart.yaml");
        Files.writeString(file, "\uFEFF" + MINIMAL, StandardCharsets.UTF_8);

        assertThat(ConfigLoader.load(file).ok()).isTrue();
    }

    @Test
    void missingFileIsOneErrorAboutTheWholeFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        ConfigResult result = ConfigLoader.load(file);

        assertThat(result.ok()).isFalse();
        assertThat(result.errors()).containsExactly(new ConfigError(file.toString(), 0, 0, "",
                "no such file (expected: a readable UTF-8 YAML file)"));
        assertThat(result.errors().get(0).format())
                .isEqualTo(file + ": no such file (expected: a readable UTF-8 YAML file)");
    }

    @Test
    void fileThatIsNotUtf8IsOneErrorAboutTheWholeFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, ("service: caf\u00e9\n" + MINIMAL).getBytes(StandardCharsets.ISO_8859_1));

        assertThat(ConfigLoader.load(file).errors()).singleElement()
                .satisfies(error -> assertThat(error.line()).isZero())
                .satisfies(error -> assertThat(error.message()).startsWith("not valid UTF-8"));
    }

    @Test
    void exampleCheckoutConfigIsValid() {
        Path example = Path.of("..", "examples", "checkout.yaml");
        Assumptions.assumeTrue(Files.isRegularFile(example),
                "examples/checkout.yaml is not written yet; nothing to check");

        ConfigResult result = ConfigLoader.load(example);

        assertThat(result.errors()).extracting(ConfigError::format).isEmpty();
        assertThat(result.ok()).isTrue();
    }
}
