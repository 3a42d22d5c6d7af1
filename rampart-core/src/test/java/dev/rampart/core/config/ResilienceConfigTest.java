package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.valid;
import static dev.rampart.core.config.TestConfigs.withRoute;
import static dev.rampart.core.config.TestConfigs.withUpstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The resilience sections of upstreams and routes: their defaults, every key, and how defaults give way. */
class ResilienceConfigTest {

    private static final String FULL = """
            upstreams:
              pricing:
                endpoints: [ "http://127.0.0.1:7001" ]
                backup: pricing-dr
                health-check: { path: "/healthz?deep=1", interval: 4s, timeout: 800ms, healthy-threshold: 1, unhealthy-threshold: 4 }
                circuit-breaker: { enabled: true, failure-rate: 40%, slow-call-rate: 90.5%, slow-call-duration: 3s, window: 1m, minimum-calls: 50, open-duration: 20s, half-open-calls: 5 }
                outlier-detection: { enabled: true, consecutive-failures: 7, base-ejection: 10s, max-ejection: 2m, max-ejected: 34% }
                retry-budget: { enabled: true, ratio: 25%, min-retries-per-second: 0, window: 30s }
                concurrency-limit: { kind: fixed, limit: 100 }
              pricing-dr:
                endpoints: [ "http://127.0.0.1:7101" ]
                circuit-breaker: { enabled: false }
                outlier-detection: { enabled: false }
                retry-budget: { enabled: false }
                concurrency-limit: { kind: gradient2, initial: 30, min: 10, max: 300 }
            routes:
              - id: prices
                upstream: pricing
                timeouts: { total: 2s }
                retries: { attempts: 3, retry-on: [connect-failure, per-try-timeout, 429, 502, 503], per-try-timeout: 500ms, backoff: { base: 10ms, cap: 100ms, jitter: false }, max-buffered-body: 128KiB }
                hedge: { delay: 50ms }
                fallback: { status: 200, headers: { Content-Type: application/json }, body: '{"prices":[]}' }
                concurrency-limit: { kind: vegas, initial: 20, min: 5, max: 200 }
                critical: true
                fault: { delay: { duration: 100ms, percentage: 10% }, abort: { status: 503, percentage: 5% }, header: X-Chaos-Drill }
              - id: quotes
                upstream: pricing
                hedge: { delay: p95, min-delay: 8ms }
                fault: { delay: { min: 50ms, max: 200ms, percentage: 100% }, abort: { status: reset, percentage: 0.5% } }
            """;

    @Test
    void everyUpstreamKeyIsBound() {
        UpstreamConfig pricing = valid(FULL).upstreams().get("pricing");

        assertThat(pricing.backup()).isEqualTo("pricing-dr");
        assertThat(pricing.healthCheck()).isEqualTo(new HealthCheckConfig("/healthz?deep=1", Duration.ofSeconds(4),
                Duration.ofMillis(800), 1, 4));
        assertThat(pricing.circuitBreaker()).isEqualTo(new CircuitBreakerConfig(true, 40, 90.5, Duration.ofSeconds(3),
                Duration.ofMinutes(1), 50, Duration.ofSeconds(20), 5));
        assertThat(pricing.outlierDetection()).isEqualTo(new OutlierDetectionConfig(true, 7, Duration.ofSeconds(10),
                Duration.ofMinutes(2), 0.34));
        assertThat(pricing.retryBudget()).isEqualTo(new RetryBudgetConfig(true, 0.25, 0, Duration.ofSeconds(30)));
        assertThat(pricing.concurrencyLimit()).isEqualTo(
                new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.FIXED, 100, 100, 100));
    }

    @Test
    void protectionsAreTurnedOffWithEnabledFalse() {
        UpstreamConfig dr = valid(FULL).upstreams().get("pricing-dr");

        assertThat(dr.circuitBreaker()).isEqualTo(withEnabled(CircuitBreakerConfig.defaults(), false));
        assertThat(dr.outlierDetection().enabled()).isFalse();
        assertThat(dr.retryBudget()).isEqualTo(new RetryBudgetConfig(false, 0.2, 3, Duration.ofSeconds(10)));
        assertThat(dr.concurrencyLimit()).isEqualTo(
                new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.GRADIENT2, 30, 10, 300));
    }

    @Test
    void everyRouteKeyIsBound() {
        RouteConfig prices = valid(FULL).routes().get(0);

        assertThat(prices.retries()).isEqualTo(new RetryConfig(3,
                Set.of(RetryCondition.CONNECT_FAILURE, RetryCondition.PER_TRY_TIMEOUT), Set.of(429, 502, 503),
                Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMillis(100), false, 128 * 1024));
        assertThat(prices.hedge()).isEqualTo(new HedgeConfig(Duration.ofMillis(50), Duration.ofMillis(5)));
        assertThat(prices.fallback()).isEqualTo(new FallbackConfig(200,
                Map.of("content-type", "application/json"), "{\"prices\":[]}"));
        assertThat(prices.concurrencyLimit()).isEqualTo(
                new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.VEGAS, 20, 5, 200));
        assertThat(prices.critical()).isTrue();
        assertThat(prices.fault()).isEqualTo(new FaultConfig(
                new FaultConfig.DelayFault(Duration.ofMillis(100), Duration.ofMillis(100), 0.1),
                new FaultConfig.AbortFault(503, 0.05), "x-chaos-drill"));
    }

    @Test
    void hedgeCanFollowTheP95AndFaultsCanDrawADelayAndResetTheConnection() {
        RouteConfig quotes = valid(FULL).routes().get(1);

        assertThat(quotes.hedge()).isEqualTo(new HedgeConfig(null, Duration.ofMillis(8)));
        assertThat(quotes.hedge().followsP95()).isTrue();
        assertThat(quotes.fault()).isEqualTo(new FaultConfig(
                new FaultConfig.DelayFault(Duration.ofMillis(50), Duration.ofMillis(200), 1.0),
                new FaultConfig.AbortFault(FaultConfig.AbortFault.RESET, 0.005), null));
        assertThat(quotes.fault().abort().resetsConnection()).isTrue();
    }

    @Test
    void withoutResilienceSectionsTheSafeDefaultsApply() {
        RampartConfig config = valid(MINIMAL);
        UpstreamConfig upstream = config.upstreams().get("pricing");
        RouteConfig route = config.routes().get(0);

        assertThat(upstream.backup()).isNull();
        assertThat(upstream.healthCheck()).isNull();
        assertThat(upstream.circuitBreaker()).isEqualTo(new CircuitBreakerConfig(true, 50, 80, Duration.ofSeconds(5),
                Duration.ofSeconds(30), 20, Duration.ofSeconds(5), 3));
        assertThat(upstream.outlierDetection()).isEqualTo(new OutlierDetectionConfig(true, 5, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 0.5));
        assertThat(upstream.retryBudget()).isEqualTo(new RetryBudgetConfig(true, 0.2, 3, Duration.ofSeconds(10)));
        assertThat(upstream.concurrencyLimit()).isNull();

        assertThat(route.retries()).isEqualTo(RetryConfig.defaults());
        assertThat(route.retries()).isEqualTo(new RetryConfig(2,
                Set.of(RetryCondition.CONNECT_FAILURE, RetryCondition.RESET, RetryCondition.PER_TRY_TIMEOUT),
                Set.of(502, 503, 504), null, Duration.ofMillis(25), Duration.ofMillis(250), true, 64 * 1024));
        assertThat(route.retries().enabled()).isTrue();
        assertThat(route.hedge()).isNull();
        assertThat(route.fallback()).isNull();
        assertThat(route.concurrencyLimit()).isNull();
        assertThat(route.critical()).isFalse();
        assertThat(route.fault()).isNull();
    }

    @Test
    void emptySectionsMeanAllDefaults() {
        RampartConfig config = valid(withUpstream("""
                circuit-breaker:
                outlier-detection:
                retry-budget:
                """) + "    retries:\n    fallback:\n");
        UpstreamConfig upstream = config.upstreams().get("pricing");

        assertThat(upstream.circuitBreaker()).isEqualTo(CircuitBreakerConfig.defaults());
        assertThat(upstream.outlierDetection()).isEqualTo(OutlierDetectionConfig.defaults());
        assertThat(upstream.retryBudget()).isEqualTo(RetryBudgetConfig.defaults());
        assertThat(config.routes().get(0).retries()).isEqualTo(RetryConfig.defaults());
        assertThat(config.routes().get(0).fallback()).isEqualTo(new FallbackConfig(200, Map.of(), ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"retries: off", "retries: { attempts: 1 }"})
    void retriesAreTurnedOffWithOffOrASingleAttempt(String yaml) {
        RetryConfig retries = valid(withRoute(yaml)).routes().get(0).retries();

        assertThat(retries.attempts()).isEqualTo(1);
        assertThat(retries.enabled()).isFalse();
        assertThat(retries).isEqualTo(RetryConfig.disabled());
    }

    @Test
    void retryOnReplacesBothTheConditionsAndTheStatuses() {
        RetryConfig onlyStatuses = valid(withRoute("retries: { retry-on: [ 500, 503, 503 ] }")).routes().get(0)
                .retries();
        RetryConfig oneCondition = valid(withRoute("retries: { retry-on: reset }")).routes().get(0).retries();
        RetryConfig nothing = valid(withRoute("retries: { retry-on: [] }")).routes().get(0).retries();

        assertThat(onlyStatuses.conditions()).isEmpty();
        assertThat(onlyStatuses.statuses()).containsExactly(500, 503);
        assertThat(oneCondition.conditions()).containsExactly(RetryCondition.RESET);
        assertThat(oneCondition.statuses()).isEmpty();
        assertThat(nothing.conditions()).isEmpty();
        assertThat(nothing.statuses()).isEmpty();
    }

    @Test
    void attemptsUpToTheCapAndAPerTryTimeoutEqualToTheTotalAreAccepted() {
        RetryConfig retries = valid(withRoute("timeouts: { total: 2s }\nretries: { attempts: 5, per-try-timeout: 2s }"))
                .routes().get(0).retries();

        assertThat(retries.attempts()).isEqualTo(RetryConfig.MAX_ATTEMPTS);
        assertThat(retries.perTryTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aBackoffBaseAloneRaisesTheDefaultCapAndACapAloneLowersTheDefaultBase() {
        RetryConfig slow = valid(withRoute("retries: { backoff: { base: 1s } }")).routes().get(0).retries();
        RetryConfig fast = valid(withRoute("retries: { backoff: { cap: 10ms } }")).routes().get(0).retries();

        assertThat(slow.backoffBase()).isEqualTo(Duration.ofSeconds(1));
        assertThat(slow.backoffCap()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fast.backoffBase()).isEqualTo(Duration.ofMillis(10));
        assertThat(fast.backoffCap()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aMaxEjectionAloneLowersTheDefaultBaseEjection() {
        OutlierDetectionConfig outliers = valid(withUpstream("outlier-detection: { max-ejection: 10s }"))
                .upstreams().get("pricing").outlierDetection();

        assertThat(outliers.baseEjection()).isEqualTo(Duration.ofSeconds(10));
        assertThat(outliers.maxEjection()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aShortHealthCheckIntervalAloneLowersTheDefaultTimeoutBelowIt() {
        HealthCheckConfig fast = valid(withUpstream("health-check: { path: /healthz, interval: 500ms }"))
                .upstreams().get("pricing").healthCheck();
        HealthCheckConfig usual = valid(withUpstream("health-check: { path: /healthz }"))
                .upstreams().get("pricing").healthCheck();

        assertThat(fast.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(usual).isEqualTo(new HealthCheckConfig("/healthz", Duration.ofSeconds(5), Duration.ofSeconds(1),
                2, 3));
    }

    @Test
    void theDefaultInitialLimitMovesWithinMinAndMax() {
        ConcurrencyLimitConfig defaults = valid(withRoute("concurrency-limit: { kind: vegas }")).routes().get(0)
                .concurrencyLimit();
        ConcurrencyLimitConfig high = valid(withRoute("concurrency-limit: { kind: vegas, min: 50 }")).routes().get(0)
                .concurrencyLimit();
        ConcurrencyLimitConfig low = valid(withRoute("concurrency-limit: { kind: gradient2, max: 8 }")).routes().get(0)
                .concurrencyLimit();

        assertThat(defaults).isEqualTo(new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.VEGAS, 20, 1, 1000));
        assertThat(high.limit()).isEqualTo(50);
        assertThat(low.limit()).isEqualTo(8);
    }

    @Test
    void backupsMayFormAChainThatEnds() {
        RampartConfig config = valid(MINIMAL.replace("routes:", """
                    backup: second
                  second:
                    endpoints: [ "http://127.0.0.1:7002" ]
                    backup: third
                  third:
                    endpoints: [ "http://127.0.0.1:7003" ]
                routes:"""));

        assertThat(config.upstreams().get("pricing").backup()).isEqualTo("second");
        assertThat(config.upstreams().get("second").backup()).isEqualTo("third");
        assertThat(config.upstreams().get("third").backup()).isNull();
    }

    @Test
    void fallbackHeadersAreStoredLowerCaseInFileOrderAndTheBodyAsWritten() {
        FallbackConfig fallback = valid(withRoute("""
                fallback:
                  status: 503
                  headers: { Retry-After: 5, Content-Type: text/plain }
                  body: |
                    try again soon
                """)).routes().get(0).fallback();

        assertThat(fallback.status()).isEqualTo(503);
        assertThat(fallback.headers()).containsExactly(entry("retry-after", "5"), entry("content-type", "text/plain"));
        assertThat(fallback.body()).isEqualTo("try again soon\n");
    }

    @Test
    void anEmptyFallbackBodyIsAllowedWithNoContent() {
        assertThat(valid(withRoute("fallback: { status: 204 }")).routes().get(0).fallback())
                .isEqualTo(new FallbackConfig(204, Map.of(), ""));
    }

    @Test
    void circuitBreakerRatesAreKeptAsPercentages() {
        CircuitBreakerConfig breaker = valid(withUpstream("circuit-breaker: { failure-rate: 0.1%, slow-call-rate: 100% }"))
                .upstreams().get("pricing").circuitBreaker();

        assertThat(breaker.failureRateThreshold()).isEqualTo(0.1);
        assertThat(breaker.slowCallRateThreshold()).isEqualTo(100);
    }

    private static CircuitBreakerConfig withEnabled(CircuitBreakerConfig c, boolean enabled) {
        return new CircuitBreakerConfig(enabled, c.failureRateThreshold(), c.slowCallRateThreshold(),
                c.slowCallDuration(), c.window(), c.minimumCalls(), c.openDuration(), c.halfOpenCalls());
    }
}
