package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.errors;
import static dev.rampart.core.config.TestConfigs.withRoute;
import static dev.rampart.core.config.TestConfigs.withUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How errors are reported: all of them, each at the right line and column, with a path and a way to fix it. */
class ConfigErrorReportingTest {

    private static final String ROUTE_KEYS = "id, match, upstream, strip-prefix, rewrite, timeouts, max-body-size, "
            + "server-timing, mask-upstream-errors, retries, hedge, fallback, concurrency-limit, critical, fault, "
            + "require-client, rate-limits, max-concurrent-per-client, rate-limit-headers, on-redis-failure, side-effects, "
            + "cache, idempotency, cache-purge, websocket";
    private static final String ROOT_KEYS = "service, listen, admin, access-log, metrics, tracing, state, identity, "
            + "clients, upstreams, routes";
    private static final String UPSTREAM_KEYS = "endpoints, load-balancer, pool, tls, backup, health-check, "
            + "circuit-breaker, outlier-detection, retry-budget, concurrency-limit";

    @Test
    void severalMistakesInOneFileAreAllReportedInFileOrderWithLineAndColumn() {
        List<String> errors = errors("""
                service: checkout-edge
                listen:
                  port: 80800
                  max-header-size: 16 KiB
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001", "tcp://127.0.0.1:7002" ]
                routes:
                  - id: price
                    match: { path: /v1/prices/*, methods: [ get ] }
                    upstream: pricing
                    timeouts:
                      connect: 2s
                      total: 20m
                      first-byte: 0
                  - id: stock
                    upstream: inventory
                    timeouts: { total: 2h }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:3:9: listen.port: 80800 (expected: a port (0 picks any free one) from 0 to 65535)",
                "test.yaml:4:20: listen.max-header-size: 16 KiB (expected: a size from 1KiB to 64KiB "
                        + "(units: B, KiB, MiB, GiB, KB, MB, GB))",
                "test.yaml:7:43: upstreams.pricing.endpoints[1]: tcp://127.0.0.1:7002 (expected: an http:// or "
                        + "https:// URL with a host and an optional port, without path, query or user info, "
                        + "e.g. http://127.0.0.1:7001)",
                "test.yaml:10:45: routes[0].match.methods[0]: get (expected: an upper-case HTTP method, e.g. GET)",
                "test.yaml:15:19: routes[0].timeouts.first-byte: 0 (expected: a duration from 1ms to 5m, "
                        + "e.g. 250ms or 2s; timeouts cannot be disabled)",
                "test.yaml:17:15: routes[1].upstream: inventory (expected: one of the upstreams: pricing)",
                "test.yaml:18:24: routes[1].timeouts.total: 2h (expected: a duration from 1ms to 1h, "
                        + "e.g. 250ms or 2s)");
    }

    @Test
    void timeoutErrorHasTheDocumentedShape() {
        String yaml = MINIMAL + "  - id: a\n    upstream: pricing\n  - id: b\n    upstream: pricing\n"
                + "    timeouts: { total: 2h }\n";

        assertThat(errors(yaml)).containsExactly(
                "test.yaml:11:24: routes[2].timeouts.total: 2h (expected: a duration from 1ms to 1h, e.g. 250ms or 2s)");
    }

    @Test
    void unknownKeySuggestsTheClosestAllowedKeyAndListsThemAll() {
        assertThat(errors(withRoute("timeout: { total: 2s }"))).containsExactly(
                "test.yaml:7:5: routes[0].timeout: unknown key (did you mean 'timeouts'? allowed: " + ROUTE_KEYS + ")");
    }

    @Test
    void unknownKeyInCamelCaseSuggestsTheKebabCaseKey() {
        assertThat(errors(withRoute("maxBodySize: 1MiB"))).containsExactly(
                "test.yaml:7:5: routes[0].maxBodySize: unknown key (did you mean 'max-body-size'? allowed: "
                        + ROUTE_KEYS + ")");
    }

    @Test
    void unknownKeyWithNothingCloseListsTheAllowedKeys() {
        assertThat(errors("slo: { availability: 99.9% }\n" + MINIMAL)).containsExactly(
                "test.yaml:1:1: slo: unknown key (allowed: " + ROOT_KEYS + ")");
    }

    @Test
    void unknownKeysAreFoundAtEveryLevel() {
        List<String> errors = errors("""
                listen: { prot: 8080 }
                upstreams:
                  pricing:
                    endpoint: [ "http://127.0.0.1:7001" ]
                    pool: { max-conections: 10 }
                routes:
                  - id: price
                    upstream: pricing
                    match: { paht: /x }
                    timeouts: { conect: 1s }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:1:11: listen.prot: unknown key (did you mean 'port'? allowed: host, port, "
                        + "header-read-timeout, keep-alive-idle, max-header-size, drain-timeout)",
                "test.yaml:4:5: upstreams.pricing.endpoint: unknown key (did you mean 'endpoints'? allowed: "
                        + UPSTREAM_KEYS + ")",
                "test.yaml:4:5: upstreams.pricing.endpoints: missing (expected: a list of at least one endpoint URL, "
                        + "e.g. [ \"http://127.0.0.1:7001\" ])",
                "test.yaml:5:13: upstreams.pricing.pool.max-conections: unknown key (did you mean "
                        + "'max-connections'? allowed: max-connections, max-waiting, idle-timeout)",
                "test.yaml:9:14: routes[0].match.paht: unknown key (did you mean 'path'? allowed: host, path, "
                        + "prefix, methods, headers)",
                "test.yaml:10:17: routes[0].timeouts.conect: unknown key (did you mean 'connect'? allowed: connect, "
                        + "first-byte, idle, total)");
    }

    // --- resilience: one case per rule, each at the line and column of the value (or key) that breaks it ----------

    private static final String RETRY_ON = "connect-failure, reset, per-try-timeout, 429 or a status from 500 to 599";
    private static final String HEDGE_DELAY = "a duration from 1ms to 1m, e.g. 250ms or 2s, or p95 (the route's "
            + "measured 95th percentile)";
    private static final String ABORT_STATUS = "a status from 200 to 599, or reset (the connection is reset)";
    private static final String PERCENTAGE = "a percentage from 0% to 100%, e.g. 1% or 0.5%";
    private static final String RATE = "a percentage above 0% and at most 100%, e.g. 50%";

    /** Route lines start at line 7, column 5; upstream lines at line 4, column 5 (see {@link TestConfigs}). */
    static Stream<Arguments> resilienceRules() {
        return Stream.of(
                route("retries: { attempts: 6 }",
                        "7:26: routes[0].retries.attempts: 6 (expected: an attempt count (1 = no retry) from 1 to 5)"),
                route("retries: { attempts: 0 }",
                        "7:26: routes[0].retries.attempts: 0 (expected: an attempt count (1 = no retry) from 1 to 5)"),
                route("retries: on", "7:14: routes[0].retries: on (expected: off, or a mapping with keys attempts, "
                        + "retry-on, per-try-timeout, backoff, max-buffered-body)"),
                route("retries: { retry-on: [ connect-failure, 404 ] }",
                        "7:45: routes[0].retries.retry-on[1]: 404 (expected: " + RETRY_ON + ")"),
                route("retries: { retry-on: [ timeout ] }",
                        "7:28: routes[0].retries.retry-on[0]: timeout (expected: " + RETRY_ON + ")"),
                route("retries: { retry-on: { reset: true } }", "7:26: routes[0].retries.retry-on: a mapping "
                        + "(expected: one or a list of: " + RETRY_ON + ")"),
                route("retries: { per-try-timeout: 20s }", "7:33: routes[0].retries.per-try-timeout: 20s "
                        + "(expected: at most the total timeout (15s by default))"),
                route("timeouts: { total: 2s }\nretries: { per-try-timeout: 3s }",
                        "8:33: routes[0].retries.per-try-timeout: 3s (expected: at most the total timeout (2s))"),
                route("retries: { per-try-timeout: off }", "7:33: routes[0].retries.per-try-timeout: off (expected: "
                        + "a duration from 1ms to 1h, e.g. 250ms or 2s; timeouts cannot be disabled)"),
                route("retries: { backoff: { base: 500ms, cap: 100ms } }",
                        "7:45: routes[0].retries.backoff.cap: 100ms (expected: at least base (500ms))"),
                route("retries: { backoff: { base: 31s } }", "7:33: routes[0].retries.backoff.base: 31s (expected: "
                        + "a duration from 1ms to 30s, e.g. 250ms or 2s)"),
                route("retries: { max-buffered-body: 17MiB }", "7:35: routes[0].retries.max-buffered-body: 17MiB "
                        + "(expected: a size from 0 to 16MiB (units: B, KiB, MiB, GiB, KB, MB, GB))"),
                route("retries: { attempt: 3 }", "7:16: routes[0].retries.attempt: unknown key (did you mean "
                        + "'attempts'? allowed: attempts, retry-on, per-try-timeout, backoff, max-buffered-body)"),
                route("hedge: { delay: 0ms }", "7:21: routes[0].hedge.delay: 0ms (expected: " + HEDGE_DELAY + ")"),
                route("hedge: { delay: p99 }", "7:21: routes[0].hedge.delay: p99 (expected: " + HEDGE_DELAY + ")"),
                route("hedge: {}", "7:12: routes[0].hedge.delay: missing (expected: " + HEDGE_DELAY + ")"),
                route("hedge: { delay: 20s }", "7:21: routes[0].hedge.delay: 20s (expected: less than the total "
                        + "timeout (15s by default); a later hedge is never sent)"),
                route("timeouts: { total: 1s }\nhedge: { delay: 1s }", "8:21: routes[0].hedge.delay: 1s (expected: "
                        + "less than the total timeout (1s); a later hedge is never sent)"),
                route("hedge: { delay: 50ms, min-delay: 5ms }", "7:38: routes[0].hedge.min-delay: 5ms (expected: "
                        + "no min-delay with a fixed delay; it is the floor of delay: p95)"),
                route("fallback: { status: 100 }",
                        "7:25: routes[0].fallback.status: 100 (expected: a status from 200 to 599)"),
                route("fallback: { status: 600 }",
                        "7:25: routes[0].fallback.status: 600 (expected: a status from 200 to 599)"),
                route("fallback: { headers: { \"Bad Name\": x } }", "7:28: routes[0].fallback.headers.Bad Name: "
                        + "Bad Name (expected: a header name, e.g. X-Api-Key)"),
                route("fallback: { headers: { Content-Length: 5 } }", "7:28: routes[0].fallback.headers."
                        + "Content-Length: Content-Length (expected: a header other than content-length, "
                        + "transfer-encoding or connection, which Rampart sets itself)"),
                route("fallback: { headers: { X-A: \"a\\nb\" } }", "7:33: routes[0].fallback.headers.X-A: a\\nb "
                        + "(expected: a header value without control characters)"),
                route("fallback: { status: 204, body: gone }",
                        "7:36: routes[0].fallback.body: gone (expected: no body with status 204)"),
                route("fallback: { body: '" + "x".repeat(64 * 1024 + 1) + "' }", "7:23: routes[0].fallback.body: "
                        + "x".repeat(60) + "... (65537 characters) (expected: a text of at most 64KiB in UTF-8)"),
                route("concurrency-limit: { kind: fifo }",
                        "7:32: routes[0].concurrency-limit.kind: fifo (expected: fixed, gradient2 or vegas)"),
                route("concurrency-limit: { limit: 10 }",
                        "7:24: routes[0].concurrency-limit.kind: missing (expected: fixed, gradient2 or vegas)"),
                route("concurrency-limit: { kind: fixed }",
                        "7:24: routes[0].concurrency-limit.limit: missing (expected: a limit from 1 to 100000)"),
                route("concurrency-limit: { kind: fixed, limit: 0 }",
                        "7:46: routes[0].concurrency-limit.limit: 0 (expected: a limit from 1 to 100000)"),
                route("concurrency-limit: { kind: fixed, limit: 100001 }",
                        "7:46: routes[0].concurrency-limit.limit: 100001 (expected: a limit from 1 to 100000)"),
                route("concurrency-limit: { kind: fixed, limit: 10, max: 20 }",
                        "7:50: routes[0].concurrency-limit.max: unknown key (allowed: kind, limit)"),
                route("concurrency-limit: { kind: vegas, limit: 10 }",
                        "7:39: routes[0].concurrency-limit.limit: unknown key (allowed: kind, initial, min, max)"),
                route("concurrency-limit: { kind: vegas, min: 50, max: 10 }",
                        "7:53: routes[0].concurrency-limit.max: 10 (expected: at least min (50))"),
                route("concurrency-limit: { kind: gradient2, initial: 300, max: 200 }", "7:52: routes[0]."
                        + "concurrency-limit.initial: 300 (expected: a limit from min to max (1 to 200))"),
                route("critical: yes", "7:15: routes[0].critical: yes (expected: true or false)"),
                route("fault: { header: x-chaos }", "7:12: routes[0].fault: a mapping (expected: a delay, an abort "
                        + "or both, e.g. { abort: { status: 503, percentage: 5% } })"),
                route("fault: { delay: { percentage: 5% } }",
                        "7:21: routes[0].fault.delay.duration: missing (expected: a duration, or min and max)"),
                route("fault: { delay: { duration: 100ms, min: 50ms, percentage: 1% } }",
                        "7:45: routes[0].fault.delay.min: 50ms (expected: either duration or min and max, not both)"),
                route("fault: { delay: { min: 50ms, percentage: 1% } }", "7:21: routes[0].fault.delay.max: missing "
                        + "(expected: the longest delay, with min the shortest)"),
                route("fault: { delay: { min: 200ms, max: 50ms, percentage: 1% } }",
                        "7:40: routes[0].fault.delay.max: 50ms (expected: at least min (200ms))"),
                route("fault: { delay: { duration: 6m, percentage: 5% } }", "7:33: routes[0].fault.delay.duration: "
                        + "6m (expected: a duration from 0s to 5m, e.g. 250ms or 2s)"),
                route("fault: { delay: { duration: 100ms } }",
                        "7:21: routes[0].fault.delay.percentage: missing (expected: " + PERCENTAGE + ")"),
                route("fault: { delay: { duration: 100ms, percentage: 150% } }",
                        "7:52: routes[0].fault.delay.percentage: 150% (expected: " + PERCENTAGE + ")"),
                route("fault: { abort: { status: 42, percentage: 5% } }",
                        "7:31: routes[0].fault.abort.status: 42 (expected: " + ABORT_STATUS + ")"),
                route("fault: { abort: { percentage: 5% } }",
                        "7:21: routes[0].fault.abort.status: missing (expected: " + ABORT_STATUS + ")"),
                route("fault: { abort: { status: 503, percentage: 5% }, header: \"x chaos\" }",
                        "7:62: routes[0].fault.header: x chaos (expected: a header name, e.g. X-Api-Key)"),

                upstream("backup: pricing-dr", "4:13: upstreams.pricing.backup: pricing-dr (expected: the name of "
                        + "another upstream; pricing is the only one)"),
                upstream("health-check: { interval: 5s }", "4:19: upstreams.pricing.health-check.path: missing "
                        + "(expected: a path starting with /, e.g. /healthz)"),
                upstream("health-check: { path: healthz }", "4:27: upstreams.pricing.health-check.path: healthz "
                        + "(expected: a path starting with /, e.g. /healthz)"),
                upstream("health-check: { path: /h, interval: 2s, timeout: 2s }", "4:54: upstreams.pricing."
                        + "health-check.timeout: 2s (expected: less than the interval (2s))"),
                upstream("health-check: { path: /h, timeout: 10s }", "4:40: upstreams.pricing.health-check.timeout: "
                        + "10s (expected: less than the interval (5s by default))"),
                upstream("health-check: { path: /h, interval: 5ms }", "4:41: upstreams.pricing.health-check."
                        + "interval: 5ms (expected: a duration from 10ms to 5m, e.g. 250ms or 2s)"),
                upstream("health-check: { path: /h, healthy-threshold: 0 }", "4:50: upstreams.pricing.health-check."
                        + "healthy-threshold: 0 (expected: a probe count from 1 to 100)"),
                upstream("circuit-breaker: { failure-rate: 0% }",
                        "4:38: upstreams.pricing.circuit-breaker.failure-rate: 0% (expected: " + RATE + ")"),
                upstream("circuit-breaker: { slow-call-rate: 50 }",
                        "4:40: upstreams.pricing.circuit-breaker.slow-call-rate: 50 (expected: " + RATE + ")"),
                upstream("circuit-breaker: { window: 500ms }", "4:32: upstreams.pricing.circuit-breaker.window: "
                        + "500ms (expected: a duration from 1s to 10m, e.g. 30s or 5m)"),
                upstream("circuit-breaker: { enabled: no }",
                        "4:33: upstreams.pricing.circuit-breaker.enabled: no (expected: true or false)"),
                upstream("circuit-breaker: { minimum-calls: 0 }", "4:39: upstreams.pricing.circuit-breaker."
                        + "minimum-calls: 0 (expected: a call count from 1 to 100000)"),
                upstream("circuit-breaker: { open-duration: 11m }", "4:39: upstreams.pricing.circuit-breaker."
                        + "open-duration: 11m (expected: a duration from 1ms to 10m, e.g. 250ms or 2s)"),
                upstream("outlier-detection: { base-ejection: 60s, max-ejection: 30s }", "4:60: upstreams.pricing."
                        + "outlier-detection.max-ejection: 30s (expected: at least base-ejection (1m))"),
                upstream("outlier-detection: { max-ejected: 150% }", "4:39: upstreams.pricing.outlier-detection."
                        + "max-ejected: 150% (expected: " + PERCENTAGE + ")"),
                upstream("outlier-detection: { consecutive-failures: 0 }", "4:48: upstreams.pricing."
                        + "outlier-detection.consecutive-failures: 0 (expected: a failure count from 1 to 1000)"),
                upstream("retry-budget: { window: 6m }", "4:29: upstreams.pricing.retry-budget.window: 6m "
                        + "(expected: a duration from 1s to 5m, e.g. 30s or 5m)"),
                upstream("retry-budget: { ratio: 20 }",
                        "4:28: upstreams.pricing.retry-budget.ratio: 20 (expected: " + PERCENTAGE + ")"),
                upstream("retry-budget: { min-retries-per-second: -1 }", "4:45: upstreams.pricing.retry-budget."
                        + "min-retries-per-second: -1 (expected: a retry count from 0 to 100000)"),
                upstream("concurrency-limit: { kind: vegas, initial: 0 }", "4:48: upstreams.pricing."
                        + "concurrency-limit.initial: 0 (expected: a limit from 1 to 100000)"));
    }

    private static Arguments route(String lines, String error) {
        return Arguments.of(withRoute(lines), "test.yaml:" + error);
    }

    private static Arguments upstream(String lines, String error) {
        return Arguments.of(withUpstream(lines), "test.yaml:" + error);
    }

    @ParameterizedTest
    @MethodSource
    void resilienceRules(String yaml, String error) {
        assertThat(errors(yaml)).containsExactly(error);
    }

    // --- admission: one case per rule, each at the line and column of the value (or key) that breaks it ----------

    private static final String HASH = AdmissionConfigTest.HASH_1;
    /** A client, on line 1, so that the route's admission keys that need one can be written. */
    private static final String CLIENT = "clients: [ { name: app, api-keys: \"" + HASH + "\" } ]";
    private static final String NO_CLIENTS = "needs clients, declared at the top level";
    private static final String KEY = "client, ip, route, header:<name> or jwt:<claim>, e.g. header:X-Tenant "
            + "or jwt:sub";
    private static final String RATE_LIMIT = "a rate <count>/<unit> with a count from 1 to 1000000000 and a unit s, m, "
            + "h or d, e.g. 100/s or 5000/h";
    private static final String REDIS_URL = "a redis:// or rediss:// URL with a host, an optional port and database, "
            + "e.g. redis://127.0.0.1:6379/0 (a password goes in the user info: redis://:password@host)";
    private static final String KEY_HASH = "sha256:<64 hex digits> or <64 hex digits>: the SHA-256 of the API key, "
            + "never the key itself, e.g. the output of printf %s KEY | sha256sum";
    private static final String ENV_SECRET = "the name of an environment variable holding the HMAC secret, at least "
            + "32 bytes";
    private static final String JWT_SOURCES = "hmac-secret-env, hmac-secret-file or jwks-file";

    /** Route lines start at line 7, column 5 (or line 8 after {@link #CLIENT}); root lines at line 1, column 1. */
    static Stream<Arguments> admissionRules() {
        return Stream.of(
                route("require-client: true", "7:21: routes[0].require-client: true (expected: false; "
                        + "require-client " + NO_CLIENTS + ")"),
                route("require-client: 1", "7:21: routes[0].require-client: 1 (expected: true or false)"),
                route("max-concurrent-per-client: 5", "7:32: routes[0].max-concurrent-per-client: 5 (expected: 0; "
                        + "max-concurrent-per-client " + NO_CLIENTS + ")"),
                route("max-concurrent-per-client: -1", "7:32: routes[0].max-concurrent-per-client: -1 (expected: "
                        + "a request count (0 = no limit) from 0 to 100000)"),
                route("rate-limit-headers: yes", "7:25: routes[0].rate-limit-headers: yes (expected: true or false)"),
                route("on-redis-failure: fail",
                        "7:23: routes[0].on-redis-failure: fail (expected: local, open or closed)"),
                route("rate-limits: { key: ip, rate: 5/s }", "7:18: routes[0].rate-limits: a mapping (expected: a "
                        + "list of rate limits, e.g. [ { key: client, rate: 10/s } ])"),
                route("rate-limits: [ { rate: 5/s } ]", "7:20: routes[0].rate-limits[0].key: missing (expected: ip, "
                        + "route, header:<name> or jwt:<claim>; the default, client, " + NO_CLIENTS + ")"),
                route("rate-limits: [ { key: client, rate: 5/s } ]", "7:27: routes[0].rate-limits[0].key: client "
                        + "(expected: ip, route, header:<name> or jwt:<claim>; client " + NO_CLIENTS + ")"),
                route("rate-limits: [ { key: jwt:sub, rate: 5/s } ]", "7:27: routes[0].rate-limits[0].key: jwt:sub "
                        + "(expected: client, ip, route or header:<name>; jwt:<claim> needs identity.jwt)"),
                route("rate-limits: [ { key: tenant, rate: 5/s } ]",
                        "7:27: routes[0].rate-limits[0].key: tenant (expected: " + KEY + ")"),
                route("rate-limits: [ { key: \"ip:x\", rate: 5/s } ]",
                        "7:27: routes[0].rate-limits[0].key: ip:x (expected: " + KEY + ")"),
                route("rate-limits: [ { key: \"header:X Tenant\", rate: 5/s } ]", "7:27: routes[0].rate-limits[0]."
                        + "key: header:X Tenant (expected: header:<name> with a header name, e.g. header:X-Tenant)"),
                route("rate-limits: [ { key: \"jwt:\", rate: 5/s } ]", "7:27: routes[0].rate-limits[0].key: jwt: "
                        + "(expected: jwt:<claim> with a claim name, e.g. jwt:sub)"),
                route("rate-limits: [ { key: ip } ]",
                        "7:20: routes[0].rate-limits[0].rate: missing (expected: " + RATE_LIMIT + ")"),
                route("rate-limits: [ { key: ip, rate: 5 } ]",
                        "7:37: routes[0].rate-limits[0].rate: 5 (expected: " + RATE_LIMIT + ")"),
                route("rate-limits: [ { key: ip, rate: 0/s } ]",
                        "7:37: routes[0].rate-limits[0].rate: 0/s (expected: " + RATE_LIMIT + ")"),
                route("rate-limits: [ { key: ip, rate: 1000000001/s } ]",
                        "7:37: routes[0].rate-limits[0].rate: 1000000001/s (expected: " + RATE_LIMIT + ")"),
                route("rate-limits: [ { key: ip, rate: 5/w } ]",
                        "7:37: routes[0].rate-limits[0].rate: 5/w (expected: " + RATE_LIMIT + ")"),
                route("rate-limits: [ { key: ip, rate: 5/s, burst: 0 } ]", "7:49: routes[0].rate-limits[0].burst: 0 "
                        + "(expected: a burst (requests at once) from 1 to 1000000000)"),
                route("rate-limits: [ { key: ip, rate: 5/s, brust: 9 } ]", "7:42: routes[0].rate-limits[0].brust: "
                        + "unknown key (did you mean 'burst'? allowed: name, key, rate, burst, unidentified)"),
                route("rate-limits: [ { key: ip, rate: 5/s, unidentified: { rate: 1/s } } ]", "7:56: routes[0]."
                        + "rate-limits[0].unidentified: a mapping (expected: no unidentified with key ip, which "
                        + "every request has)"),
                route("rate-limits: [ { key: route, rate: 5/s, unidentified: { rate: 1/s } } ]", "7:59: routes[0]."
                        + "rate-limits[0].unidentified: a mapping (expected: no unidentified with key route, which "
                        + "every request has)"),
                route("rate-limits: [ { key: ip, rate: 5/s }, { key: ip, rate: 5/s } ]", "7:44: routes[0]."
                        + "rate-limits[1].name: ip-5-per-s by default (expected: a rate limit name used once in the "
                        + "list; routes[0].rate-limits[0].name has it already; give them names)"),
                route("rate-limits: [ { name: a, key: ip, rate: 5/s }, { name: a, key: route, rate: 9/s } ]",
                        "7:61: routes[0].rate-limits[1].name: a (expected: a rate limit name used once in the list; "
                                + "routes[0].rate-limits[0].name has it already)"),
                route("rate-limits: [ { name: Per-IP, key: ip, rate: 5/s } ]", "7:28: routes[0].rate-limits[0]."
                        + "name: Per-IP (expected: a rate limit name of lower-case letters, digits, '-' or '_', "
                        + "starting with a letter or digit)"),
                clientRoute("rate-limits: [ { rate: 5/s, unidentified: { rate: 0/s } } ]", "8:55: routes[0]."
                        + "rate-limits[0].unidentified.rate: 0/s (expected: " + RATE_LIMIT + ")"),
                clientRoute("rate-limits: [ { rate: 5/s, unidentified: { count: 1 } } ]", "8:49: routes[0]."
                        + "rate-limits[0].unidentified.count: unknown key (allowed: rate, burst)"),
                clientRoute("rate-limits: [ { rate: 5/s, unidentified: off } ]", "8:47: routes[0].rate-limits[0]."
                        + "unidentified: off (expected: a mapping with keys rate, burst)"),

                root("state: { redis: { url: \"http://127.0.0.1:6379\" } }",
                        "1:24: state.redis.url: http://127.0.0.1:6379 (expected: " + REDIS_URL + ")"),
                root("state: { redis: { url: \"redis://:hunter2@127.0.0.1:6379/x\" } }",
                        "1:24: state.redis.url: redis://***@127.0.0.1:6379/x (expected: " + REDIS_URL + ")"),
                root("state: { redis: { url: \"redis://127.0.0.1:6379?db=1\" } }",
                        "1:24: state.redis.url: redis://127.0.0.1:6379?db=1 (expected: " + REDIS_URL + ")"),
                root("state: { redis: {} }", "1:17: state.redis.url: missing (expected: " + REDIS_URL + ")"),
                root("state: { redis: { url: \"redis://r\", timeout: 0 } }", "1:46: state.redis.timeout: 0 "
                        + "(expected: a duration from 1ms to 5s, e.g. 250ms or 2s; timeouts cannot be disabled)"),
                root("state: { redis: { url: \"redis://r\", timeout: 6s } }", "1:46: state.redis.timeout: 6s "
                        + "(expected: a duration from 1ms to 5s, e.g. 250ms or 2s)"),
                root("state: { redis: { url: \"redis://r\", instances: 0 } }", "1:48: state.redis.instances: 0 "
                        + "(expected: an instance count from 1 to 1000)"),
                root("state: { redis: { url: \"redis://r\", key-prefix: \"a b\" } }", "1:49: state.redis.key-prefix: "
                        + "a b (expected: 1 to 64 printable ASCII characters without spaces, e.g. rampart:)"),
                root("state: { redis: { url: \"redis://r\", password: x } }", "1:37: state.redis.password: unknown "
                        + "key (allowed: url, timeout, instances, key-prefix)"),
                root("state: { redis: \"redis://r\" }", "1:17: state.redis: redis://r (expected: a mapping with "
                        + "keys url, timeout, instances, key-prefix)"),
                root("identity: { api-key-header: \"X Key\" }",
                        "1:29: identity.api-key-header: X Key (expected: a header name, e.g. X-Api-Key)"),
                root("identity: { hide-api-key: 1 }", "1:27: identity.hide-api-key: 1 (expected: true or false)"),
                root("identity: { hide-api-keys: true }", "1:13: identity.hide-api-keys: unknown key (did you mean "
                        + "'hide-api-key'? allowed: api-key-header, hide-api-key, trusted-proxies, jwt)"),
                root("identity: { trusted-proxies: [ 10.0.0.0/8, 10.0.0.0/33 ] }", "1:44: identity."
                        + "trusted-proxies[1]: 10.0.0.0/33 (expected: an IP address or CIDR range, e.g. 10.0.0.0/8 "
                        + "or 2001:db8::/32)"),
                root("identity: { trusted-proxies: proxy.internal }", "1:30: identity.trusted-proxies: "
                        + "proxy.internal (expected: an IP address or CIDR range, e.g. 10.0.0.0/8 or 2001:db8::/32)"),
                root("identity: { jwt: { issuer: me } }", "1:18: identity.jwt: a mapping (expected: the keys tokens "
                        + "are signed with: one of " + JWT_SOURCES + ")"),
                root("identity: { jwt: { hmac-secret-env: \"jwt secret\" } }",
                        "1:37: identity.jwt.hmac-secret-env: jwt secret (expected: " + ENV_SECRET + ")"),
                root("identity: { jwt: { hmac-secret-env: RAMPART_TEST_UNSET_VARIABLE } }", "1:37: identity.jwt."
                        + "hmac-secret-env: RAMPART_TEST_UNSET_VARIABLE (expected: " + ENV_SECRET
                        + "; RAMPART_TEST_UNSET_VARIABLE is not set)"),
                root("identity: { jwt: { hmac-secret-file: /nonexistent/jwt.key } }", "1:38: identity.jwt."
                        + "hmac-secret-file: /nonexistent/jwt.key (expected: a file holding the HMAC secret, at "
                        + "least 32 bytes, relative to the config file's directory; /nonexistent/jwt.key: no such "
                        + "file)"),
                root("identity: { jwt: { jwks-file: /nonexistent/jwks.json, hmac-secret-env: X } }", List.of(
                        "1:31: identity.jwt.jwks-file: /nonexistent/jwks.json (expected: a JSON Web Key Set file, "
                                + "relative to the config file's directory; /nonexistent/jwks.json: no such file)",
                        "1:72: identity.jwt.hmac-secret-env: X (expected: " + ENV_SECRET + "; X is not set)",
                        "1:72: identity.jwt.hmac-secret-env: X (expected: only one of hmac-secret-env, "
                                + "hmac-secret-file and jwks-file)")),
                root("identity: { jwt: { jwt-secret: x } }", List.of(
                        "1:18: identity.jwt: a mapping (expected: the keys tokens are signed with: one of "
                                + JWT_SOURCES + ")",
                        "1:20: identity.jwt.jwt-secret: unknown key (allowed: header, hmac-secret-env, "
                                + "hmac-secret-file, jwks-file, issuer, audience)")),

                root("clients: { app: { api-keys: [] } }",
                        "1:10: clients: a mapping (expected: a list of clients, e.g. [ { name: mobile-app, "
                                + "api-keys: [ \"sha256:<64 hex digits>\" ] } ])"),
                root("clients: [ { api-keys: \"" + HASH + "\" } ]", "1:12: clients[0].name: missing (expected: a "
                        + "client name of lower-case letters, digits, '-' or '_', starting with a letter or digit)"),
                root("clients: [ { name: App, api-keys: \"" + HASH + "\" } ]", "1:20: clients[0].name: App "
                        + "(expected: a client name of lower-case letters, digits, '-' or '_', starting with a "
                        + "letter or digit)"),
                root("clients: [ { name: app } ]", "1:12: clients[0].api-keys: missing (expected: a list of at "
                        + "least one API key hash, e.g. [ \"sha256:<64 hex digits>\" ])"),
                root("clients: [ { name: app, api-keys: [] } ]", "1:35: clients[0].api-keys: a list (expected: a "
                        + "list of at least one API key hash, e.g. [ \"sha256:<64 hex digits>\" ])"),
                root("clients: [ { name: app, api-keys: [ my-secret-key ] } ]", "1:37: clients[0].api-keys[0]: "
                        + "<hidden: 13 characters> (expected: " + KEY_HASH + ")"),
                root("clients: [ { name: app, api-keys: [ \"sha1:" + HASH + "\" ] } ]", "1:37: clients[0]."
                        + "api-keys[0]: <hidden: 69 characters> (expected: " + KEY_HASH + ")"),
                root("clients: [ { name: app, api-keys: \"" + HASH + "\", routes: [ price, stock ] } ]",
                        "1:120: clients[0].routes[1]: stock (expected: one of the routes: price)"),
                root("clients: [ { name: app, api-keys: \"" + HASH + "\", max-concurrent: 100001 } ]",
                        "1:119: clients[0].max-concurrent: 100001 (expected: a request count (0 = no limit) from 0 "
                                + "to 100000)"),
                root("clients: [ { name: app, api-keys: \"" + HASH + "\", rate-limits: [ { key: jwt:sub, "
                        + "rate: 1/s } ] } ]", "1:125: clients[0].rate-limits[0].key: jwt:sub (expected: client, ip, "
                        + "route or header:<name>; jwt:<claim> needs identity.jwt)"),
                root("clients: [ { name: app, api-keys: \"" + HASH + "\", limits: [] } ]", "1:103: clients[0]."
                        + "limits: unknown key (allowed: name, api-keys, routes, rate-limits, max-concurrent)"));
    }

    private static Arguments clientRoute(String lines, String error) {
        return Arguments.of(CLIENT + "\n" + withRoute(lines), "test.yaml:" + error);
    }

    private static Arguments root(String lines, String error) {
        return root(lines, List.of(error));
    }

    private static Arguments root(String lines, List<String> errors) {
        return Arguments.of(TestConfigs.withRoot(lines), errors.stream().map(e -> "test.yaml:" + e).toList());
    }

    @ParameterizedTest
    @MethodSource
    void admissionRules(String yaml, Object expected) {
        List<String> errors = expected instanceof List<?> list ? list.stream().map(String::valueOf).toList()
                : List.of((String) expected);
        assertThat(errors(yaml)).containsExactlyElementsOf(errors);
    }

    @Test
    void aKeyHashIsUsedByOneClient() {
        List<String> errors = errors(TestConfigs.withRoot("""
                clients:
                  - { name: app, api-keys: [ "%1$s" ] }
                  - { name: web, api-keys: [ "%2$s", "sha256:%1$s" ] }
                  - { name: app, api-keys: [ "%3$s" ] }
                """.formatted(HASH, AdmissionConfigTest.HASH_2, AdmissionConfigTest.HASH_3)));

        assertThat(errors).containsExactly(
                "test.yaml:3:98: clients[1].api-keys[1]: sha256:" + HASH + " (expected: an API key hash used once, "
                        + "so that a key names one client; clients[0].api-keys[0] has it already)",
                "test.yaml:4:13: clients[2].name: app (expected: a client name used once; clients[0].name has it "
                        + "already)");
    }

    @Test
    void aClientKeyCheckAppliesOnlyWhereNoClientIsDeclared() {
        assertThat(TestConfigs.valid(CLIENT + "\n" + withRoute("""
                require-client: true
                max-concurrent-per-client: 3
                rate-limits: [ { rate: 5/s }, { key: client, rate: 100/m } ]
                """))).isNotNull();
    }

    @Test
    void jwtSecretsThatAreTooShortOrEmptyAreReportedWithoutShowingThem(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("short.key"), "0123456789\n");
        String yaml = TestConfigs.withRoot("""
                identity:
                  jwt: { hmac-secret-env: SHORT, hmac-secret-file: short.key }
                """);

        List<String> errors = errors(yaml, dir, Map.of("SHORT", "tiny"));

        assertThat(errors).containsExactly(
                "test.yaml:2:27: identity.jwt.hmac-secret-env: SHORT (expected: " + ENV_SECRET
                        + " (HS256 needs a 256-bit key); it has 4 bytes)",
                "test.yaml:2:52: identity.jwt.hmac-secret-file: short.key (expected: a file holding the HMAC secret, "
                        + "at least 32 bytes, relative to the config file's directory (HS256 needs a 256-bit key); "
                        + "it has 10 bytes)",
                "test.yaml:2:52: identity.jwt.hmac-secret-file: short.key (expected: only one of hmac-secret-env, "
                        + "hmac-secret-file and jwks-file)");
        assertThat(errors(yaml, dir, Map.of("SHORT", ""))).first().asString().endsWith("; SHORT is empty)");
    }

    @Test
    void aJwksFileThatIsNotAKeySetIsReportedAtItsKey(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("broken.json"), "{ \"keys\": [ \n");
        Files.writeString(dir.resolve("empty.json"), "{ \"keys\": [] }");
        Files.writeString(dir.resolve("nokty.json"), "{ \"keys\": [ { \"kty\": \"EC\" }, { \"kid\": \"a\" } ] }");
        Files.createDirectory(dir.resolve("dir.json"));
        String expected = "a JSON Web Key Set file, relative to the config file's directory; ";

        assertThat(errors(TestConfigs.withRoot("identity: { jwt: { jwks-file: broken.json } }"), dir, Map.of()))
                .containsExactly("test.yaml:1:31: identity.jwt.jwks-file: broken.json (expected: " + expected
                        + "it is not valid JSON (line 2, column 1))");
        // What a usable key is, the verifier says: its reason follows the file's name.
        assertThat(errors(TestConfigs.withRoot("identity: { jwt: { jwks-file: empty.json } }"), dir, Map.of()))
                .singleElement().asString().startsWith("test.yaml:1:31: identity.jwt.jwks-file: empty.json (expected: "
                        + expected + "jwks: no usable signing key");
        assertThat(errors(TestConfigs.withRoot("identity: { jwt: { jwks-file: nokty.json } }"), dir, Map.of()))
                .singleElement().asString().startsWith("test.yaml:1:31: identity.jwt.jwks-file: nokty.json (expected: "
                        + expected + "jwks.keys[");
        assertThat(errors(TestConfigs.withRoot("identity: { jwt: { jwks-file: dir.json } }"), dir, Map.of()))
                .containsExactly("test.yaml:1:31: identity.jwt.jwks-file: dir.json (expected: " + expected
                        + dir.resolve("dir.json") + ": a directory)");
    }

    @Test
    void everyAdmissionMistakeInAFileIsReportedInOneRun() {
        List<String> errors = errors("""
                state: { redis: { url: "redis://r", instances: 0 } }
                identity: { trusted-proxies: [ 10.0.0.0/99 ] }
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001" ]
                routes:
                  - id: price
                    upstream: pricing
                    require-client: true
                    rate-limits: [ { key: jwt:sub, rate: 5/s }, { key: ip, rate: 5/x } ]
                    on-redis-failure: never
                """);

        assertThat(errors).containsExactly(
                "test.yaml:1:48: state.redis.instances: 0 (expected: an instance count from 1 to 1000)",
                "test.yaml:2:32: identity.trusted-proxies[0]: 10.0.0.0/99 (expected: an IP address or CIDR range, "
                        + "e.g. 10.0.0.0/8 or 2001:db8::/32)",
                "test.yaml:9:21: routes[0].require-client: true (expected: false; require-client " + NO_CLIENTS + ")",
                "test.yaml:10:27: routes[0].rate-limits[0].key: jwt:sub (expected: client, ip, route or "
                        + "header:<name>; jwt:<claim> needs identity.jwt)",
                "test.yaml:10:66: routes[0].rate-limits[1].rate: 5/x (expected: " + RATE_LIMIT + ")",
                "test.yaml:11:23: routes[0].on-redis-failure: never (expected: local, open or closed)");
    }

    @Test
    void anApiKeyWrittenInsteadOfItsHashIsNeverShown() {
        assertThat(errors(TestConfigs.withRoot("clients: [ { name: app, api-keys: sk_live_abcdef123 } ]")))
                .singleElement().asString().doesNotContain("sk_live").contains("<hidden: 17 characters>");
    }

    @Test
    void aBackupMustBeAnotherUpstream() {
        assertThat(errors(MINIMAL.replace("routes:", """
                    backup: pricing
                  inventory:
                    endpoints: [ "http://127.0.0.1:7002" ]
                routes:"""))).containsExactly(
                "test.yaml:4:13: upstreams.pricing.backup: pricing (expected: one of the other upstreams: inventory)");
    }

    @Test
    void aLoopOfBackupsIsReportedOnceAtItsFirstUpstream() {
        List<String> errors = errors(MINIMAL.replace("routes:", """
                    backup: second
                  second:
                    endpoints: [ "http://127.0.0.1:7002" ]
                    backup: third
                  third:
                    endpoints: [ "http://127.0.0.1:7003" ]
                    backup: pricing
                  fourth:
                    endpoints: [ "http://127.0.0.1:7004" ]
                    backup: second
                routes:"""));

        assertThat(errors).containsExactly("test.yaml:4:13: upstreams.pricing.backup: second (expected: a backup "
                + "that does not lead back to pricing (pricing -> second -> third -> pricing))");
    }

    @Test
    void everyResilienceMistakeInAFileIsReportedInOneRun() {
        List<String> errors = errors("""
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001" ]
                    backup: pricing
                    circuit-breaker: { failure-rate: 0%, window: 1h }
                    retry-budget: { ratio: 200% }
                routes:
                  - id: price
                    upstream: pricing
                    timeouts: { total: 1s }
                    retries: { attempts: 9, retry-on: [ 404 ], per-try-timeout: 2s }
                    hedge: { delay: 0 }
                    fault: { abort: { status: 503 } }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:4:13: upstreams.pricing.backup: pricing (expected: the name of another upstream; "
                        + "pricing is the only one)",
                "test.yaml:5:38: upstreams.pricing.circuit-breaker.failure-rate: 0% (expected: " + RATE + ")",
                "test.yaml:5:50: upstreams.pricing.circuit-breaker.window: 1h (expected: a duration from 1s to 10m, "
                        + "e.g. 30s or 5m)",
                "test.yaml:6:28: upstreams.pricing.retry-budget.ratio: 200% (expected: " + PERCENTAGE + ")",
                "test.yaml:11:26: routes[0].retries.attempts: 9 (expected: an attempt count (1 = no retry) from 1 "
                        + "to 5)",
                "test.yaml:11:41: routes[0].retries.retry-on[0]: 404 (expected: " + RETRY_ON + ")",
                "test.yaml:11:65: routes[0].retries.per-try-timeout: 2s (expected: at most the total timeout (1s))",
                "test.yaml:12:21: routes[0].hedge.delay: 0 (expected: " + HEDGE_DELAY + ")",
                "test.yaml:13:21: routes[0].fault.abort.percentage: missing (expected: " + PERCENTAGE + ")");
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondOneWithTheFirstLine() {
        List<String> errors = errors(withRoute("""
                match:
                  path: /a
                  path: /b
                """));

        assertThat(errors).containsExactly(
                "test.yaml:9:7: routes[0].match.path: duplicate key (expected: each key once; first at line 8)");
    }

    @Test
    void duplicateRootKeyIsReported() {
        assertThat(errors("service: a\nservice: b\n" + MINIMAL)).containsExactly(
                "test.yaml:2:1: service: duplicate key (expected: each key once; first at line 1)");
    }

    @Test
    void yamlSyntaxErrorIsOneErrorAtTheParsersPosition() {
        List<String> errors = errors("""
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001"
                routes: []
                """);

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("test.yaml:4:1: invalid YAML: ").contains("line 3, column 16");
    }

    @Test
    void badIndentationIsASyntaxErrorAtTheOffendingLine() {
        assertThat(errors("service: a\n  listen: 1\n")).containsExactly(
                "test.yaml:2:9: invalid YAML: mapping values are not allowed here");
    }

    @Test
    void syntaxErrorHidesDuplicateKeysFoundBeforeIt() {
        assertThat(errors("service: a\nservice: b\nlisten: [1, 2\n"))
                .singleElement().asString().startsWith("test.yaml:4:1: invalid YAML: ");
    }

    @Test
    void unclosedQuoteIsReportedWhereTheFileEnds() {
        assertThat(errors("service: 'checkout\n")).singleElement().asString()
                .isEqualTo("test.yaml:2:1: invalid YAML: found unexpected end of stream "
                        + "(while scanning a quoted scalar that starts at line 1, column 10)");
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertThat(errors("upstreams:\n\tpricing: {}\n")).singleElement().asString()
                .startsWith("test.yaml:2:1: invalid YAML: ");
    }

    @Test
    void rootThatIsNotAMappingIsRejected() {
        assertThat(errors("- id: price\n- id: stock\n")).containsExactly(
                "test.yaml:1:1: a list (expected: a mapping with keys " + ROOT_KEYS + ")");
        assertThat(errors("just text\n")).containsExactly(
                "test.yaml:1:1: just text (expected: a mapping with keys " + ROOT_KEYS + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# nothing configured yet\n", "---\n", "~\n"})
    void emptyFileIsOneErrorAboutTheWholeFile(String yaml) {
        assertThat(errors(yaml)).containsExactly(
                "test.yaml: empty file (expected: a mapping with at least upstreams and routes)");
    }

    @Test
    void aSecondDocumentIsRejected() {
        assertThat(errors(MINIMAL + "---\nservice: other\n")).containsExactly(
                "test.yaml:8:1: a second YAML document (expected: one document per file)");
    }

    @Test
    void aliasesAreRejected() {
        assertThat(errors(MINIMAL.replace("endpoints: [", "endpoints: &eps [") + "  - id: stock\n"
                + "    upstream: pricing\n    timeouts: *eps\n")).containsExactly(
                "test.yaml:9:15: *eps (expected: a value written out; YAML aliases are not supported)");
    }

    @Test
    void deeplyNestedDocumentIsOneErrorNotAStackOverflow() {
        assertThat(errors("service: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n")).containsExactly(
                "test.yaml:1:74: too deeply nested (expected: at most 64 levels)");
    }

    @Test
    void wrongTypesNameWhatWasExpected() {
        List<String> errors = errors("""
                listen: 8080
                upstreams:
                  pricing: [ "http://127.0.0.1:7001" ]
                routes:
                  price: { upstream: pricing }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:1:9: listen: 8080 (expected: a mapping with keys host, port, header-read-timeout, "
                        + "keep-alive-idle, max-header-size, drain-timeout)",
                "test.yaml:3:12: upstreams.pricing: a list (expected: a mapping with keys " + UPSTREAM_KEYS + ")",
                "test.yaml:5:3: routes: a mapping (expected: a list of routes)");
    }

    @Test
    void messagesNeverShowJavaNames() {
        List<String> documents = List.of(
                "? [a, b]\n: 1\n",
                "a: [1, 2\n",
                "a: \"\\q\"\n",
                "\tA: 1\n",
                "a: b: c\n",
                "key: value\n  - item\n",
                withRoute("rewrite: { regex: \"(\", replacement: x }"),
                withRoute("rewrite: { regex: \"(a)\", replacement: \"$\" }"),
                withRoute("rewrite: { regex: \"(a)\", replacement: \"\\\\\" }"),
                withRoute("timeouts: { total: [1s] }"),
                withRoute("match: { headers: { X: [1] } }"),
                withRoute("fallback: { headers: { X-A: \"a\\r\\nb\" } }"));
        for (String yaml : documents) {
            assertThat(errors(yaml)).as(yaml).allSatisfy(error -> assertThat(error)
                    .doesNotContainPattern("\\b(java|javax|org|com)\\.[a-z]")
                    .doesNotContain("Exception")
                    .doesNotContain("\n"));
        }
    }
}
