package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.errors;
import static dev.rampart.core.config.TestConfigs.valid;
import static dev.rampart.core.config.TestConfigs.withRoot;
import static dev.rampart.core.config.TestConfigs.withRoute;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a route does at the edge: side-effects, response cache, idempotency keys and cache purges. */
class EdgeConfigTest {

    private static final String REDIS_STATE = "state: { redis: { url: \"redis://127.0.0.1\" } }";
    private static final String CACHE_ALLOWED =
            "ttl, stale-while-revalidate, stale-if-error, store, max-object-size, key";
    private static final String KEY_PART_EXPECTED =
            "(expected: client, or header:<name>, e.g. header:accept-language)";
    private static final String PURGE_EXPECTED =
            "(expected: a path starting with /, or a prefix ending in *, e.g. /v1/prices/*)";
    private static final String METHODS_EXPECTED = "(expected: unsafe methods in capitals, e.g. [POST, PATCH]";

    private static RouteConfig route(String yaml) {
        return valid(yaml).routes().get(0);
    }

    // --- defaults ---------------------------------------------------------------------------------------------

    @Test
    void withoutEdgeKeysARouteHasNoCacheNoIdempotencyNoPurgesAndNoSideEffects() {
        RouteConfig route = route(MINIMAL);

        assertThat(route.sideEffects()).isFalse();
        assertThat(route.cache()).isNull();
        assertThat(route.idempotency()).isNull();
        assertThat(route.cachePurge()).isEmpty();
    }

    // --- side-effects -----------------------------------------------------------------------------------------

    @Test
    void sideEffectsIsBound() {
        assertThat(route(withRoute("side-effects: true")).sideEffects()).isTrue();
        assertThat(route(withRoute("side-effects: false")).sideEffects()).isFalse();
    }

    @Test
    void sideEffectsMustBeABoolean() {
        assertThat(errors(withRoute("side-effects: yes-please")))
                .containsExactly("test.yaml:7:19: routes[0].side-effects: yes-please (expected: true or false)");
    }

    // --- cache ------------------------------------------------------------------------------------------------

    @Test
    void everyCacheKeyIsBound() {
        CacheConfig cache = route(withRoute("""
                cache:
                  ttl: 30s
                  stale-while-revalidate: 1m
                  stale-if-error: 1h
                  store: local
                  max-object-size: 2MiB
                  key: [ client, header:Accept-Language ]
                """)).cache();

        assertThat(cache).isEqualTo(new CacheConfig(Duration.ofSeconds(30), Duration.ofMinutes(1),
                Duration.ofHours(1), CacheConfig.Store.LOCAL, 2 * 1024 * 1024, List.of("accept-language"), true));
    }

    @Test
    void anEmptyCacheSectionStoresOnlyWhatTheUpstreamSaysIsFreshAndServesNothingStale() {
        CacheConfig cache = route(withRoute("cache:")).cache();

        assertThat(cache).isEqualTo(new CacheConfig(null, Duration.ZERO, Duration.ZERO, CacheConfig.Store.LOCAL,
                CacheConfig.DEFAULT_MAX_OBJECT_SIZE, List.of(), false));
        assertThat(CacheConfig.DEFAULT_MAX_OBJECT_SIZE).isEqualTo(1024 * 1024);
        assertThat(route(withRoute("cache: {}")).cache()).isEqualTo(cache);
    }

    @Test
    void staleWindowsAreBoundWithoutATtl() {
        CacheConfig cache = route(withRoute("cache: { stale-while-revalidate: 10s, stale-if-error: 168h }")).cache();

        assertThat(cache.ttl()).isNull();
        assertThat(cache.staleWhileRevalidate()).isEqualTo(Duration.ofSeconds(10));
        assertThat(cache.staleIfError()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void theTtlMayBeAYearAtMost() {
        assertThat(route(withRoute("cache: { ttl: 8760h }")).cache().ttl()).isEqualTo(CacheConfig.MAX_TTL);
        assertThat(errors(withRoute("cache: { ttl: 8761h }"))).containsExactly(
                "test.yaml:7:19: routes[0].cache.ttl: 8761h (expected: a duration from 1s to 8760h, e.g. 30s or 5m)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "999ms", "-1s", "forever"})
    void aTtlBelowOneSecondOrNotADurationIsRejected(String ttl) {
        assertThat(errors(withRoute("cache: { ttl: " + ttl + " }"))).containsExactly("test.yaml:7:19: "
                + "routes[0].cache.ttl: " + ttl + " (expected: a duration from 1s to 8760h, e.g. 30s or 5m)");
    }

    @Test
    void aStaleWindowLongerThanAWeekIsRejected() {
        assertThat(errors(withRoute("cache: { stale-if-error: 169h }"))).containsExactly("test.yaml:7:30: "
                + "routes[0].cache.stale-if-error: 169h (expected: a duration from 0s to 168h, e.g. 250ms or 2s)");
    }

    @Test
    void theRedisStoreIsAcceptedOnceStateRedisIsConfigured() {
        RampartConfig config = valid(withRoot(REDIS_STATE) + "    cache: { store: redis }\n");

        assertThat(config.routes().get(0).cache().store()).isEqualTo(CacheConfig.Store.REDIS);
    }

    @Test
    void theRedisStoreWithoutStateRedisIsAnErrorAtTheStoreSayingWhatIsAllowed() {
        assertThat(errors(withRoute("""
                cache:
                  ttl: 30s
                  store: redis
                """))).containsExactly("test.yaml:9:14: routes[0].cache.store: redis "
                + "(expected: local, or redis once state.redis is configured)");
    }

    @Test
    void anUnknownStoreNamesTheStoresThereAre() {
        assertThat(errors(withRoute("cache: { store: disk }")))
                .containsExactly("test.yaml:7:21: routes[0].cache.store: disk (expected: local or redis)");
    }

    @Test
    void theMaxObjectSizeIsBoundedBy64MiB() {
        assertThat(route(withRoute("cache: { max-object-size: 64MiB }")).cache().maxObjectSize())
                .isEqualTo(CacheConfig.MAX_MAX_OBJECT_SIZE);
        assertThat(errors(withRoute("cache: { max-object-size: 65MiB }"))).singleElement().asString()
                .startsWith("test.yaml:7:31: routes[0].cache.max-object-size: 65MiB (expected: a size from 1 to 64MiB");
    }

    @Test
    void aCacheKeyMayBeASinglePart() {
        assertThat(route(withRoute("cache: { key: client }")).cache().keyClient()).isTrue();
        CacheConfig byLanguage = route(withRoute("cache: { key: \"header:X-Tenant\" }")).cache();
        assertThat(byLanguage.keyClient()).isFalse();
        assertThat(byLanguage.keyHeaders()).containsExactly("x-tenant");
    }

    @Test
    void headerKeyPartsKeepTheirOrderLowerCased() {
        assertThat(route(withRoute("cache: { key: [ header:B, header:a, client ] }")).cache().keyHeaders())
                .containsExactly("b", "a");
    }

    @Test
    void aBadKeyPartIsAnErrorAtThatPart() {
        assertThat(errors(withRoute("""
                cache:
                  key: [ client, ip, header:Accept-Language ]
                """))).containsExactly("test.yaml:8:22: routes[0].cache.key[1]: ip " + KEY_PART_EXPECTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"header:\"", "\"header:bad name\"", "\"header:a/b\"", "Client", "jwt:sub", "header"})
    void keyPartsThatAreNotClientOrAHeaderAreRejected(String part) {
        assertThat(errors(withRoute("cache: { key: [ " + part + " ] }"))).singleElement().asString()
                .startsWith("test.yaml:7:").contains(": routes[0].cache.key[0]: ").endsWith(KEY_PART_EXPECTED);
    }

    @Test
    void aKeyThatIsAMappingIsRejected() {
        assertThat(errors(withRoute("cache: { key: { client: true } }"))).containsExactly("test.yaml:7:19: "
                + "routes[0].cache.key: a mapping (expected: a list of client, or header:<name>, "
                + "e.g. header:accept-language)");
    }

    @Test
    void anUnknownKeyInsideCacheGetsASuggestion() {
        assertThat(errors(withRoute("""
                cache:
                  tll: 30s
                """))).containsExactly("test.yaml:8:7: routes[0].cache.tll: unknown key "
                + "(did you mean 'ttl'? allowed: " + CACHE_ALLOWED + ")");
    }

    @Test
    void aCamelCaseKeyInsideCacheIsSuggestedInKebabCase() {
        assertThat(errors(withRoute("cache: { maxObjectSize: 1MiB }"))).containsExactly("test.yaml:7:14: "
                + "routes[0].cache.maxObjectSize: unknown key (did you mean 'max-object-size'? allowed: "
                + CACHE_ALLOWED + ")");
    }

    @Test
    void aCacheThatIsNotAMappingSaysWhichKeysItTakes() {
        assertThat(errors(withRoute("cache: true"))).containsExactly("test.yaml:7:12: routes[0].cache: true "
                + "(expected: a mapping with keys " + CACHE_ALLOWED + ")");
    }

    // --- idempotency ------------------------------------------------------------------------------------------

    @Test
    void idempotencyDefaultsToOptionalKeysForPostAndPatchKeptADay() {
        IdempotencyConfig idempotency = route(withRoute("idempotency:")).idempotency();

        assertThat(idempotency).isEqualTo(new IdempotencyConfig(false, Set.of("POST", "PATCH"),
                Duration.ofHours(24), 1024 * 1024, Duration.ofSeconds(60)));
        assertThat(route(withRoute("idempotency: {}")).idempotency()).isEqualTo(idempotency);
    }

    @Test
    void everyIdempotencyKeyIsBound() {
        IdempotencyConfig idempotency = route(withRoute("""
                idempotency:
                  required: true
                  methods: [ POST, PUT, DELETE ]
                  retention: 1h
                  max-response-size: 64KiB
                  lock-timeout: 30s
                """)).idempotency();

        assertThat(idempotency).isEqualTo(new IdempotencyConfig(true, Set.of("POST", "PUT", "DELETE"),
                Duration.ofHours(1), 64 * 1024, Duration.ofSeconds(30)));
    }

    @Test
    void aSingleMethodMayBeWrittenWithoutAList() {
        assertThat(route(withRoute("idempotency: { methods: PUT }")).idempotency().methods()).containsExactly("PUT");
    }

    @Test
    void aSafeMethodIsRejectedBecauseItNeedsNoKey() {
        assertThat(errors(withRoute("""
                idempotency:
                  methods: [ POST, GET ]
                """))).containsExactly("test.yaml:8:24: routes[0].idempotency.methods[1]: GET "
                + METHODS_EXPECTED + "; GET is safe and needs no key)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE"})
    void everySafeMethodIsRejected(String method) {
        assertThat(errors(withRoute("idempotency: { methods: [ " + method + " ] }"))).singleElement().asString()
                .endsWith(": routes[0].idempotency.methods[0]: " + method + " " + METHODS_EXPECTED + "; "
                        + method + " is safe and needs no key)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"post", "Post", "P0ST", "\"PO ST\""})
    void methodsMustBeWrittenInCapitals(String method) {
        assertThat(errors(withRoute("idempotency: { methods: [ " + method + " ] }"))).singleElement().asString()
                .contains(": routes[0].idempotency.methods[0]: ").endsWith(METHODS_EXPECTED + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "off", "-1s"})
    void theLockTimeoutCannotBeDisabled(String lockTimeout) {
        assertThat(errors(withRoute("idempotency: { lock-timeout: " + lockTimeout + " }")))
                .containsExactly("test.yaml:7:34: routes[0].idempotency.lock-timeout: " + lockTimeout
                        + " (expected: a duration from 1s to 1h, e.g. 30s or 5m; timeouts cannot be disabled)");
    }

    @Test
    void theLockTimeoutIsAnHourAtMost() {
        assertThat(route(withRoute("idempotency: { lock-timeout: 1h }")).idempotency().lockTimeout())
                .isEqualTo(IdempotencyConfig.MAX_LOCK_TIMEOUT);
        assertThat(errors(withRoute("idempotency: { lock-timeout: 61m }"))).singleElement().asString()
                .endsWith("61m (expected: a duration from 1s to 1h, e.g. 30s or 5m)");
    }

    @Test
    void retentionIsThirtyDaysAtMost() {
        assertThat(route(withRoute("idempotency: { retention: 720h }")).idempotency().retention())
                .isEqualTo(IdempotencyConfig.MAX_RETENTION);
        assertThat(errors(withRoute("idempotency: { retention: 721h }"))).containsExactly("test.yaml:7:31: "
                + "routes[0].idempotency.retention: 721h (expected: a duration from 1s to 720h, e.g. 30s or 5m)");
    }

    @Test
    void aZeroMaxResponseSizeKeepsNoBodyAndIsAllowed() {
        assertThat(route(withRoute("idempotency: { max-response-size: 0 }")).idempotency().maxResponseSize())
                .isZero();
        assertThat(errors(withRoute("idempotency: { max-response-size: 17MiB }"))).singleElement().asString()
                .contains("routes[0].idempotency.max-response-size: 17MiB (expected: a size from 0 to 16MiB");
    }

    @Test
    void requiredMustBeABoolean() {
        assertThat(errors(withRoute("idempotency: { required: always }"))).containsExactly(
                "test.yaml:7:30: routes[0].idempotency.required: always (expected: true or false)");
    }

    @Test
    void anUnknownKeyInsideIdempotencyGetsASuggestion() {
        assertThat(errors(withRoute("idempotency: { lock-timout: 5s }"))).containsExactly("test.yaml:7:20: "
                + "routes[0].idempotency.lock-timout: unknown key (did you mean 'lock-timeout'? allowed: "
                + "required, methods, retention, max-response-size, lock-timeout)");
    }

    // --- cache-purge ------------------------------------------------------------------------------------------

    @Test
    void cachePurgeTakesExactPathsAndPrefixes() {
        assertThat(route(withRoute("cache-purge: [ /v1/prices, \"/v1/prices/*\", /, \"/*\", /v1/stock-levels/a.b ]"))
                .cachePurge()).containsExactly("/v1/prices", "/v1/prices/*", "/", "/*", "/v1/stock-levels/a.b");
    }

    @Test
    void cachePurgeMayBeASinglePath() {
        assertThat(route(withRoute("cache-purge: \"/v1/prices/*\"")).cachePurge()).containsExactly("/v1/prices/*");
    }

    @Test
    void aCachePurgeEntryThatIsNotAPathIsAnErrorAtThatEntry() {
        assertThat(errors(withRoute("cache-purge: [ /v1/prices, v1/stock ]"))).containsExactly(
                "test.yaml:7:32: routes[0].cache-purge[1]: v1/stock " + PURGE_EXPECTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1/prices", "\"*\"", "\"/v1/*/x\"", "\"/v1/**\"", "\"/v1?x=1\"", "\"/v1#a\"",
            "\"/v 1\"", "\"\"", "https://example.com/v1"})
    void cachePurgeEntriesThatAreNotAPathOrPrefixAreRejected(String entry) {
        assertThat(errors(withRoute("cache-purge: [ " + entry + " ]"))).singleElement().asString()
                .startsWith("test.yaml:7:").contains(": routes[0].cache-purge[0]: ").endsWith(PURGE_EXPECTED);
    }

    @Test
    void aCachePurgeMappingIsRejected() {
        assertThat(errors(withRoute("cache-purge: { path: /v1 }"))).containsExactly("test.yaml:7:18: "
                + "routes[0].cache-purge: a mapping (expected: a list of a path starting with /, or a prefix "
                + "ending in *, e.g. /v1/prices/*)");
    }

    // --- all together -----------------------------------------------------------------------------------------

    @Test
    void everyMistakeInTheEdgeKeysIsReportedAtOnce() {
        assertThat(errors(withRoute("""
                side-effects: maybe
                cache: { store: redis, key: [ ip ] }
                idempotency: { methods: [ GET ] }
                cache-purge: [ nope ]
                """))).hasSize(5);
    }

    @Test
    void aKeyHeaderNamedTwiceIsRejectedWhateverItsCase() {
        assertThat(errors(withRoute("cache: { key: [header:a, header:A] }"))).singleElement().asString()
                .contains("header:A").contains("each once");
    }

    @Test
    void anEmptyListOfIdempotencyMethodsIsRejectedRatherThanReadAsTheDefault() {
        assertThat(errors(withRoute("idempotency: { methods: [] }"))).singleElement().asString()
                .contains("idempotency.methods").contains("at least one method");
    }

    @Test
    void anIdempotencyLockShorterThanTheRoutesTotalTimeoutIsRejected() {
        assertThat(errors(withRoute("timeouts: { total: 90s }\nidempotency: { lock-timeout: 30s }")))
                .singleElement().asString().contains("idempotency.lock-timeout").contains("total timeout (90s)");
    }

    @Test
    void theDefaultIdempotencyLockOutlastsALongTotalTimeout() {
        assertThat(valid(withRoute("timeouts: { total: 90s }\nidempotency: {}")).routes().get(0).idempotency()
                .lockTimeout()).isEqualTo(java.time.Duration.ofSeconds(120));
        assertThat(valid(withRoute("idempotency: {}")).routes().get(0).idempotency().lockTimeout())
                .isEqualTo(java.time.Duration.ofSeconds(60));
    }

    @Test
    void theInProcessStoresAreBoundedBy64MiBUnlessStateSaysOtherwise() {
        assertThat(valid(withRoute("side-effects: false")).state().cacheMemory()).isEqualTo(64L * 1024 * 1024);
        RampartConfig sized = valid(withRoot("state: { cache-memory: 256MiB, idempotency-memory: 16MiB }"));
        assertThat(sized.state().cacheMemory()).isEqualTo(256L * 1024 * 1024);
        assertThat(sized.state().idempotencyMemory()).isEqualTo(16L * 1024 * 1024);
        assertThat(errors(withRoot("state: { cache-memory: 10KiB }"))).singleElement().asString()
                .contains("state.cache-memory").contains("from 1MiB");
    }
}
