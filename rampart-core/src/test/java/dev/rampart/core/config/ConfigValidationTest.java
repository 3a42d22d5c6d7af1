package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.errors;
import static dev.rampart.core.config.TestConfigs.parse;
import static dev.rampart.core.config.TestConfigs.valid;
import static dev.rampart.core.config.TestConfigs.withRoot;
import static dev.rampart.core.config.TestConfigs.withRoute;
import static dev.rampart.core.config.TestConfigs.withUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per rule of the config file: what breaks it, and the path and message that report it. */
class ConfigValidationTest {

    private static void assertOnlyError(String yaml, String path, String message) {
        ConfigResult result = parse(yaml);
        assertThat(result.errors())
                .as("errors of:%n%s", yaml)
                .extracting(ConfigError::path, ConfigError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(path, message));
    }

    // --- timeouts: always on, capped, parts within the total --------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "connect: 31s    | connect    | 31s (expected: a duration from 1ms to 30s, e.g. 250ms or 2s)",
            "first-byte: 6m  | first-byte | 6m (expected: a duration from 1ms to 5m, e.g. 250ms or 2s)",
            "idle: 301s      | idle       | 301s (expected: a duration from 1ms to 5m, e.g. 250ms or 2s)",
            "total: 61m      | total      | 61m (expected: a duration from 1ms to 1h, e.g. 250ms or 2s)",
    })
    void timeoutAboveHardCapIsRejectedWithTheCap(String timeout, String key, String message) {
        assertOnlyError(withRoute("timeouts: { " + timeout + " }"), "routes[0].timeouts." + key, message);
    }

    @Test
    void timeoutsAtTheirHardCapsAreAccepted() {
        TimeoutsConfig timeouts = valid(withRoute("timeouts: { connect: 30s, first-byte: 5m, idle: 5m, total: 1h }"))
                .routes().get(0).timeouts();

        assertThat(timeouts).isEqualTo(new TimeoutsConfig(TimeoutsConfig.MAX_CONNECT, TimeoutsConfig.MAX_FIRST_BYTE,
                TimeoutsConfig.MAX_IDLE, TimeoutsConfig.MAX_TOTAL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "0ms", "off", "none", "false", "-1s", "-5", "null", "~", "never", "infinite"})
    void timeoutsCannotBeDisabled(String value) {
        ConfigResult result = parse(withRoute("timeouts: { total: " + value + " }"));

        assertThat(result.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("routes[0].timeouts.total");
            assertThat(error.message()).endsWith(
                    "(expected: a duration from 1ms to 1h, e.g. 250ms or 2s; timeouts cannot be disabled)");
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "listen: { header-read-timeout: 0s } | listen.header-read-timeout",
            "listen: { keep-alive-idle: off }    | listen.keep-alive-idle",
            "listen: { drain-timeout: 0 }        | listen.drain-timeout",
    })
    void listenerTimeoutsCannotBeDisabledEither(String yaml, String path) {
        assertThat(parse(withRoot(yaml)).errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo(path);
            assertThat(error.message()).endsWith("timeouts cannot be disabled)");
        });
    }

    @Test
    void connectLongerThanTotalIsRejected() {
        assertOnlyError(withRoute("timeouts: { connect: 6s, total: 5s }"), "routes[0].timeouts.connect",
                "6s (expected: at most the total timeout (5s))");
    }

    @Test
    void firstByteLongerThanTotalIsRejected() {
        assertOnlyError(withRoute("timeouts: { first-byte: 20s }"), "routes[0].timeouts.first-byte",
                "20s (expected: at most the total timeout (15s by default))");
    }

    @Test
    void aShortTotalAloneLowersTheDefaultsOfItsParts() {
        TimeoutsConfig timeouts = valid(withRoute("timeouts: { total: 1s }")).routes().get(0).timeouts();

        assertThat(timeouts).isEqualTo(new TimeoutsConfig(Duration.ofSeconds(1), Duration.ofSeconds(1),
                TimeoutsConfig.DEFAULT_IDLE, Duration.ofSeconds(1)));
    }

    @Test
    void partsEqualToTotalAreAccepted() {
        assertThat(valid(withRoute("timeouts: { connect: 2s, first-byte: 2s, total: 2s }")).routes()).hasSize(1);
    }

    // --- listen and admin --------------------------------------------------------------------------------------

    static Stream<Arguments> listenAndAdminRules() {
        return Stream.of(
                Arguments.of("listen: { port: 65536 }", "listen.port",
                        "65536 (expected: a port (0 picks any free one) from 0 to 65535)"),
                Arguments.of("listen: { port: -1 }", "listen.port",
                        "-1 (expected: a port (0 picks any free one) from 0 to 65535)"),
                Arguments.of("listen: { port: http }", "listen.port",
                        "http (expected: a port (0 picks any free one) from 0 to 65535)"),
                Arguments.of("listen: { port: 80.5 }", "listen.port",
                        "80.5 (expected: a port (0 picks any free one) from 0 to 65535)"),
                Arguments.of("listen: { host: \"not a host\" }", "listen.host",
                        "not a host (expected: a host name or an IP address, e.g. 0.0.0.0 or ::)"),
                Arguments.of("listen: { header-read-timeout: 61s }", "listen.header-read-timeout",
                        "61s (expected: a duration from 1ms to 1m, e.g. 250ms or 2s)"),
                Arguments.of("listen: { keep-alive-idle: 11m }", "listen.keep-alive-idle",
                        "11m (expected: a duration from 1ms to 10m, e.g. 250ms or 2s)"),
                Arguments.of("listen: { drain-timeout: 6m }", "listen.drain-timeout",
                        "6m (expected: a duration from 1ms to 5m, e.g. 250ms or 2s)"),
                Arguments.of("listen: { max-header-size: 1023 }", "listen.max-header-size",
                        "1023 (expected: a size from 1KiB to 64KiB (units: B, KiB, MiB, GiB, KB, MB, GB))"),
                Arguments.of("listen: { max-header-size: 65537 }", "listen.max-header-size",
                        "65537 (expected: a size from 1KiB to 64KiB (units: B, KiB, MiB, GiB, KB, MB, GB))"),
                Arguments.of("listen: { max-header-size: 16kb }", "listen.max-header-size",
                        "16kb (expected: a size from 1KiB to 64KiB (units: B, KiB, MiB, GiB, KB, MB, GB))"),
                Arguments.of("admin: { port: 8080 }", "admin.port",
                        "8080 (expected: a port other than listen.port (8080), or 0)"),
                Arguments.of("listen: { port: 9090 }", "listen.port",
                        "9090 (expected: a port other than admin.port (9090 by default), or 0)"),
                Arguments.of("listen: { port: 7000 }\nadmin: { port: 7000 }", "admin.port",
                        "7000 (expected: a port other than listen.port (7000), or 0)"),
                Arguments.of("admin: { bind: \"127.0.0.1:9090\" }", "admin.bind",
                        "127.0.0.1:9090 (expected: a host name or an IP address, e.g. 0.0.0.0 or ::)"),
                Arguments.of("service: Checkout", "service",
                        "Checkout (expected: a name of lower-case letters, digits, '-', '_' or '.', starting with a "
                                + "letter or digit, at most 63 characters)"),
                Arguments.of("service: " + "a".repeat(64), "service",
                        "a".repeat(64) + " (expected: a name of lower-case letters, digits, '-', '_' or '.', "
                                + "starting with a letter or digit, at most 63 characters)"),
                Arguments.of("access-log: { enabled: yes }", "access-log.enabled", "yes (expected: true or false)"),
                Arguments.of("access-log: { query-string: 1 }", "access-log.query-string",
                        "1 (expected: true or false)"),
                Arguments.of("access-log: { secret-headers: [ \"X Api Key\" ] }", "access-log.secret-headers[0]",
                        "X Api Key (expected: a header name, e.g. X-Api-Key)"),
                Arguments.of("listen: [ 8080 ]", "listen", "a list (expected: a mapping with keys host, port, "
                        + "header-read-timeout, keep-alive-idle, max-header-size, drain-timeout)"));
    }

    @ParameterizedTest
    @MethodSource
    void listenAndAdminRules(String yaml, String path, String message) {
        assertOnlyError(withRoot(yaml), path, message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"listen: { port: 0 }\nadmin: { port: 0 }", "listen: { port: 0 }\nadmin: { port: 8080 }",
            "listen: { port: 9090 }\nadmin: { port: 0 }", "listen: { port: 1 }\nadmin: { port: 65535 }"})
    void portZeroMeansAnyFreePortAndNeverCollides(String yaml) {
        assertThat(valid(withRoot(yaml)).routes()).hasSize(1);
    }

    @Test
    void acceptsHostNamesAndIpAddressesToBindTo() {
        RampartConfig config = valid(withRoot("listen: { host: \"::\" }\nadmin: { bind: localhost }"));
        RampartConfig ipv4 = valid(withRoot("listen: { host: 10.0.0.1 }\nadmin: { bind: \"::1\" }"));

        assertThat(config.listen().host()).isEqualTo("::");
        assertThat(ipv4.listen().host()).isEqualTo("10.0.0.1");
        assertThat(ipv4.admin().bind()).isEqualTo("::1");
        assertThat(config.admin().bind()).isEqualTo("localhost");
    }

    @ParameterizedTest
    @CsvSource({
            "::, true",
            "::1, true",
            "fe80::1, true",
            "2001:db8::ffff:10.0.0.1, true",
            "::ffff:127.0.0.1, true",
            "1:2:3:4:5:6:7:8, true",
            "1:2:3:4:5:6:10.0.0.1, true",
            "1:2:3:4:5:6:7::, true",
            "1:2:3:4:5:6:7:8:9, false",
            "1:2:3:4:5:6:7, false",
            "1:2:3:4:5:6:7:8::, false",
            "1::2::3, false",
            ":::, false",
            "127.0.0.1:9090, false",
            "12345::, false",
            "g::1, false",
            "localhost, false",
    })
    void ipv6AddressesAreRecognised(String text, boolean ipv6) {
        assertThat(ConfigBinder.isIpv6(text)).isEqualTo(ipv6);
    }

    @Test
    void secretHeadersAreStoredLowerCaseOnce() {
        RampartConfig config = valid(withRoot("access-log: { secret-headers: [ X-Api-Key, x-api-key, X-Token ] }"));

        assertThat(config.accessLog().secretHeaders()).containsExactly("x-api-key", "x-token");
    }

    // --- upstreams ---------------------------------------------------------------------------------------------

    static Stream<Arguments> upstreamRules() {
        String url = "(expected: an http:// or https:// URL with a host and an optional port, without path, query "
                + "or user info, e.g. http://127.0.0.1:7001)";
        return Stream.of(
                Arguments.of("endpoints: [ \"ftp://127.0.0.1:21\" ]", "upstreams.pricing.endpoints[1]",
                        "ftp://127.0.0.1:21 " + url),
                Arguments.of("endpoints: [ \"127.0.0.1:7002\" ]", "upstreams.pricing.endpoints[1]",
                        "127.0.0.1:7002 " + url),
                Arguments.of("endpoints: [ \"http://127.0.0.1:7002/api\" ]", "upstreams.pricing.endpoints[1]",
                        "http://127.0.0.1:7002/api " + url),
                Arguments.of("endpoints: [ \"http://127.0.0.1:7002/?a=1\" ]", "upstreams.pricing.endpoints[1]",
                        "http://127.0.0.1:7002/?a=1 " + url),
                Arguments.of("endpoints: [ \"http://user:pw@127.0.0.1:7002\" ]", "upstreams.pricing.endpoints[1]",
                        "http://user:pw@127.0.0.1:7002 " + url),
                Arguments.of("endpoints: [ \"http://:7002\" ]", "upstreams.pricing.endpoints[1]",
                        "http://:7002 " + url),
                Arguments.of("endpoints: [ \"http://127.0.0.1:0\" ]", "upstreams.pricing.endpoints[1]",
                        "http://127.0.0.1:0 " + url),
                Arguments.of("endpoints: [ \"http://127.0.0.1:99999\" ]", "upstreams.pricing.endpoints[1]",
                        "http://127.0.0.1:99999 " + url),
                Arguments.of("endpoints: [ \"http://127.0.0.1:7001/\" ]", "upstreams.pricing.endpoints[1]",
                        "http://127.0.0.1:7001/ (expected: distinct endpoints; this one is the same as "
                                + "upstreams.pricing.endpoints[0])"),
                Arguments.of("endpoints: [ ]", "upstreams.pricing.endpoints",
                        "a list (expected: a list of at least one endpoint URL, e.g. [ \"http://127.0.0.1:7001\" ])"),
                Arguments.of("load-balancer: random", "upstreams.pricing.load-balancer",
                        "random (expected: round-robin or least-request)"),
                Arguments.of("pool: { max-connections: 0 }", "upstreams.pricing.pool.max-connections",
                        "0 (expected: an integer from 1 to 10000)"),
                Arguments.of("pool: { max-connections: 10001 }", "upstreams.pricing.pool.max-connections",
                        "10001 (expected: an integer from 1 to 10000)"),
                Arguments.of("pool: { max-waiting: -1 }", "upstreams.pricing.pool.max-waiting",
                        "-1 (expected: an integer from 0 to 100000)"),
                Arguments.of("pool: { max-waiting: 100001 }", "upstreams.pricing.pool.max-waiting",
                        "100001 (expected: an integer from 0 to 100000)"),
                Arguments.of("pool: { idle-timeout: 999ms }", "upstreams.pricing.pool.idle-timeout",
                        "999ms (expected: a duration from 1s to 1h, e.g. 30s or 5m)"),
                Arguments.of("pool: { idle-timeout: 61m }", "upstreams.pricing.pool.idle-timeout",
                        "61m (expected: a duration from 1s to 1h, e.g. 30s or 5m)"),
                Arguments.of("tls: { verify: no }", "upstreams.pricing.tls.verify", "no (expected: true or false)"),
                Arguments.of("tls: true", "upstreams.pricing.tls", "true (expected: a mapping with keys verify)"));
    }

    @ParameterizedTest
    @MethodSource
    void upstreamRules(String yaml, String path, String message) {
        String upstream = yaml.startsWith("endpoints: [ ")
                ? withUpstream("").replace("endpoints: [ \"http://127.0.0.1:7001\" ]",
                        yaml.equals("endpoints: [ ]") ? yaml : yaml.replace("[ ", "[ \"http://127.0.0.1:7001\", "))
                : withUpstream(yaml);
        assertOnlyError(upstream, path, message);
    }

    @Test
    void endpointsDefaultTheirPortByScheme() {
        RampartConfig config = valid(withUpstream("").replace("[ \"http://127.0.0.1:7001\" ]",
                "[ \"http://a.example\", \"https://b.example/\", \"HTTPS://[::1]\", \"http://[2001:db8::1]:8080\" ]"));

        assertThat(config.upstreams().get("pricing").endpoints()).containsExactly(
                new Endpoint(false, "a.example", 80), new Endpoint(true, "b.example", 443),
                new Endpoint(true, "::1", 443), new Endpoint(false, "2001:db8::1", 8080));
    }

    @Test
    void upstreamsAreRequired() {
        assertOnlyError("routes: [ { id: price, upstream: pricing } ]", "upstreams",
                "missing (expected: a mapping of upstream names to upstreams)");
    }

    @Test
    void atLeastOneUpstreamIsRequired() {
        assertOnlyError(MINIMAL.replace("upstreams:\n  pricing:\n    endpoints: [ \"http://127.0.0.1:7001\" ]",
                        "upstreams: {}"), "upstreams",
                "a mapping (expected: at least one upstream, e.g. pricing: { endpoints: [ \"http://127.0.0.1:7001\" ] })");
    }

    @Test
    void upstreamsMustBeAMappingByName() {
        assertThat(parse(MINIMAL.replace("  pricing:\n    endpoints", "  - endpoints")).errors())
                .extracting(ConfigError::path, ConfigError::message)
                .contains(org.assertj.core.groups.Tuple.tuple("upstreams",
                        "a list (expected: a mapping of upstream names to upstreams)"));
    }

    @Test
    void upstreamNamesAreLowerCaseIdentifiers() {
        assertOnlyError(MINIMAL.replace("pricing", "Pricing"), "upstreams.Pricing", "Pricing (expected: an upstream "
                + "name of lower-case letters, digits, '-' or '_', starting with a letter or digit)");
    }

    @Test
    void endpointsAreRequired() {
        assertOnlyError(MINIMAL.replace("    endpoints: [ \"http://127.0.0.1:7001\" ]", "    load-balancer: round-robin"),
                "upstreams.pricing.endpoints",
                "missing (expected: a list of at least one endpoint URL, e.g. [ \"http://127.0.0.1:7001\" ])");
    }

    // --- routes ------------------------------------------------------------------------------------------------

    static Stream<Arguments> routeRules() {
        return Stream.of(
                Arguments.of("match: { host: \"api.example.com:443\" }", "routes[0].match.host",
                        "api.example.com:443 (expected: a host name without port, e.g. api.example.com, or "
                                + "*.example.com for any subdomain)"),
                Arguments.of("match: { host: [ ok.example, \"a.*.example\" ] }", "routes[0].match.host[1]",
                        "a.*.example (expected: a host name without port, e.g. api.example.com, or *.example.com "
                                + "for any subdomain)"),
                Arguments.of("match: { path: v1/prices }", "routes[0].match.path",
                        "v1/prices (expected: a path starting with /, e.g. /v1/prices/* (* matches within a "
                                + "segment, ** across segments))"),
                Arguments.of("match: { path: \"/v1/***\" }", "routes[0].match.path",
                        "/v1/*** (expected: a path starting with /, e.g. /v1/prices/* (* matches within a "
                                + "segment, ** across segments))"),
                Arguments.of("match: { path: \"/v1?x=1\" }", "routes[0].match.path",
                        "/v1?x=1 (expected: a path starting with /, e.g. /v1/prices/* (* matches within a "
                                + "segment, ** across segments))"),
                Arguments.of("match: { prefix: v1 }", "routes[0].match.prefix",
                        "v1 (expected: a path prefix starting with /, without * (use path for globs), e.g. /v1/)"),
                Arguments.of("match: { prefix: \"/v1/*\" }", "routes[0].match.prefix",
                        "/v1/* (expected: a path prefix starting with /, without * (use path for globs), e.g. /v1/)"),
                Arguments.of("match: { path: /a, prefix: /b }", "routes[0].match.prefix",
                        "/b (expected: either path or prefix, not both)"),
                Arguments.of("match: { methods: [ GET, post ] }", "routes[0].match.methods[1]",
                        "post (expected: an upper-case HTTP method, e.g. GET)"),
                Arguments.of("match: { methods: { GET: true } }", "routes[0].match.methods",
                        "a mapping (expected: an HTTP method or a list of them)"),
                Arguments.of("match: { headers: { \"X Canary\": \"1\" } }", "routes[0].match.headers.X Canary",
                        "X Canary (expected: a header name, e.g. X-Api-Key)"),
                Arguments.of("match: { headers: { X-Canary: \"1\", x-canary: \"2\" } }",
                        "routes[0].match.headers.x-canary",
                        "x-canary (expected: each header once; names are compared ignoring case)"),
                Arguments.of("match: { headers: [ X-Canary ] }", "routes[0].match.headers",
                        "a list (expected: a mapping of header names to values)"),
                Arguments.of("match: { headers: { X-Canary: } }", "routes[0].match.headers.X-Canary",
                        "no value (expected: the exact header value)"),
                Arguments.of("strip-prefix: v1", "routes[0].strip-prefix",
                        "v1 (expected: a path prefix starting with / and not ending with /, e.g. /v1)"),
                Arguments.of("strip-prefix: /v1/", "routes[0].strip-prefix",
                        "/v1/ (expected: a path prefix starting with / and not ending with /, e.g. /v1)"),
                Arguments.of("strip-prefix: /", "routes[0].strip-prefix",
                        "/ (expected: a path prefix starting with / and not ending with /, e.g. /v1)"),
                Arguments.of("strip-prefix: /v1\nrewrite: { regex: \"^/v1\", replacement: \"\" }", "routes[0].rewrite",
                        "a mapping (expected: either strip-prefix or rewrite, not both)"),
                Arguments.of("rewrite: { regex: \"^/v1/(.*$\", replacement: /$1 }", "routes[0].rewrite.regex",
                        "^/v1/(.*$ (expected: a valid regular expression; Unclosed group at index 9)"),
                Arguments.of("rewrite: { regex: \"^/v1/(.*)$\", replacement: /api/$2 }",
                        "routes[0].rewrite.replacement",
                        "/api/$2 (expected: a replacement whose $n and ${name} name groups of the regex (it has 1 "
                                + "group); write \\$ for a literal $)"),
                Arguments.of("rewrite: { regex: \"^/v1/(?<rest>.*)$\", replacement: \"/api/${other}\" }",
                        "routes[0].rewrite.replacement",
                        "/api/${other} (expected: a replacement whose $n and ${name} name groups of the regex (it "
                                + "has 1 group); write \\$ for a literal $)"),
                Arguments.of("rewrite: { regex: \"^/v1/(.*)$\" }", "routes[0].rewrite.replacement",
                        "missing (expected: the new path, e.g. /api/$1)"),
                Arguments.of("max-body-size: 65GiB", "routes[0].max-body-size",
                        "65GiB (expected: a size from 0 to 64GiB (units: B, KiB, MiB, GiB, KB, MB, GB))"),
                Arguments.of("max-body-size: -1", "routes[0].max-body-size",
                        "-1 (expected: a size from 0 to 64GiB (units: B, KiB, MiB, GiB, KB, MB, GB))"));
    }

    @ParameterizedTest
    @MethodSource
    void routeRules(String yaml, String path, String message) {
        assertOnlyError(withRoute(yaml), path, message);
    }

    @Test
    void routesAreRequired() {
        assertOnlyError(MINIMAL.substring(0, MINIMAL.indexOf("routes:")), "routes",
                "missing (expected: a list of routes)");
    }

    @Test
    void atLeastOneRouteIsRequired() {
        assertOnlyError(MINIMAL.substring(0, MINIMAL.indexOf("routes:")) + "routes: []", "routes",
                "a list (expected: at least one route, e.g. - { id: all, upstream: pricing })");
    }

    @Test
    void routeIdIsRequired() {
        assertOnlyError(MINIMAL.replace("  - id: price\n    upstream", "  - upstream"), "routes[0].id",
                "missing (expected: a route id of lower-case letters, digits, '-' or '_', starting with a letter or "
                        + "digit)");
    }

    @Test
    void namesMayUseDigitsDashesAndUnderscores() {
        RampartConfig config = valid("service: edge-1_eu.west\n" + MINIMAL.replace("pricing", "pricing_v2-eu")
                .replace("id: price", "id: 2price-get_v1"));

        assertThat(config.service()).isEqualTo("edge-1_eu.west");
        assertThat(config.upstreams()).containsOnlyKeys("pricing_v2-eu");
        assertThat(config.routes().get(0).id()).isEqualTo("2price-get_v1");
    }

    @Test
    void routeIdIsALowerCaseIdentifier() {
        assertOnlyError(MINIMAL.replace("id: price", "id: Price.1"), "routes[0].id",
                "Price.1 (expected: a route id of lower-case letters, digits, '-' or '_', starting with a letter or "
                        + "digit)");
    }

    @Test
    void routeIdsAreUnique() {
        assertOnlyError(MINIMAL + "  - id: price\n    upstream: pricing\n", "routes[1].id",
                "price (expected: a route id used once; routes[0].id has it already)");
    }

    @Test
    void routeUpstreamIsRequired() {
        assertOnlyError(MINIMAL.replace("    upstream: pricing\n", ""), "routes[0].upstream",
                "missing (expected: one of the upstreams: pricing)");
    }

    @Test
    void routeUpstreamMustBeDefinedAndTheErrorSaysWhichAre() {
        String yaml = MINIMAL.replace("routes:", "  inventory:\n    endpoints: http://127.0.0.1:7002\nroutes:")
                .replace("upstream: pricing", "upstream: pricnig");

        assertOnlyError(yaml, "routes[0].upstream", "pricnig (expected: one of the upstreams: pricing, inventory)");
    }

    @Test
    void routeMatchAcceptsSingleValuesAndNormalizesCase() {
        RouteMatch match = valid(withRoute("""
                match:
                  host: "*.Example.COM"
                  methods: DELETE
                  headers: { X-Tenant: Acme, X-Flag: true }
                """)).routes().get(0).match();

        assertThat(match.hosts()).containsExactly("*.example.com");
        assertThat(match.methods()).containsExactly("DELETE");
        assertThat(match.headers()).containsOnly(
                org.assertj.core.api.Assertions.entry("x-tenant", "Acme"),
                org.assertj.core.api.Assertions.entry("x-flag", "true"));
    }

    @ParameterizedTest
    @CsvSource({
            "/v1/prices/*, /v1/prices/*",
            "/v1/**, /v1/**",
    })
    void pathWithAStarIsAGlob(String path, String source) {
        assertThat(valid(withRoute("match: { path: \"" + path + "\" }")).routes().get(0).match().path())
                .isEqualTo(new PathPattern.Glob(source));
    }

    @Test
    void regexRewriteWithNamedGroupIsAccepted() {
        PathRewrite rewrite = valid(withRoute("rewrite: { regex: \"^/v1/(?<rest>.*)$\", replacement: \"/${rest}\" }"))
                .routes().get(0).rewrite();

        assertThat(rewrite.apply("/v1/prices/42")).isEqualTo("/prices/42");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "64GiB", "512", "10MB"})
    void maxBodySizeFromZeroToTheCapIsAccepted(String size) {
        assertThat(valid(withRoute("max-body-size: " + size)).routes().get(0).maxBodySize())
                .isEqualTo(Sizes.parse(size));
    }

    @Test
    void keysThatLaterFeaturesWillAddAreUnknownForNow() {
        List<String> errors = errors(withRoute("retry: { attempts: 3 }\nrate-limit: { rate: 100/s }\nslo: {}"));

        assertThat(errors).hasSize(3).allSatisfy(error -> assertThat(error).contains("unknown key"));
    }
}
