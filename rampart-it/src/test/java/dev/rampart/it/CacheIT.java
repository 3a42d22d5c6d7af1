package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.EdgeClients;
import dev.rampart.it.support.EdgeUpstream;
import dev.rampart.it.support.EdgeUpstream.Reply;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.rampart.it.support.EdgeClients.ALICE;
import static dev.rampart.it.support.EdgeClients.API_KEY;
import static dev.rampart.it.support.EdgeClients.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The response cache of a route with the in-process store, proved black-box against an origin that scripts every
 * path: hits and what they carry, the HTTP caching rules a shared cache must honour (RFC 9111), stale copies served
 * while refreshing or while the origin fails (RFC 5861), one upstream request for a stampede of misses, purges after
 * writes and through the admin API, and the metrics.
 *
 * <p>Freshness is counted in whole seconds, so tests that need a copy to go stale use a one-second lifetime and wait
 * for it by polling (a poll answered from a fresh copy never reaches the origin). Every test has paths, and where
 * its settings differ a route, of its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CacheIT {
    private static final String QUIET = "circuit-breaker: { enabled: false }, outlier-detection: { enabled: false }";
    /** Long enough for every request of a stampede to arrive while the first one is still with the origin. */
    private static final Duration STAMPEDE_ORIGIN_DELAY = Duration.ofMillis(500);
    private static final int STAMPEDE = 500;
    /** How long a background refresh takes at the origin: requests meanwhile must get the stale copy. */
    private static final Duration REFRESH_DELAY = Duration.ofMillis(800);
    /** Past a one-second freshness, with room for a loaded machine. */
    private static final Duration STALE_WITHIN = Duration.ofSeconds(5);

    private static final Upstreams upstreams = new Upstreams();
    private static EdgeUpstream origin;
    private static EdgeUpstream fallible;
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        origin = EdgeUpstream.start(upstreams, "origin");
        fallible = EdgeUpstream.start(upstreams, "fallible");
        String config = """
                service: cache-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                metrics: { enabled: true }
                CLIENTS
                upstreams:
                  origin: { endpoints: [ "ORIGIN" ], QUIET }
                  fallible: { endpoints: [ "FALLIBLE" ], QUIET }
                routes:
                  - { id: fresh, match: { prefix: /fresh/ }, upstream: origin, cache: { ttl: 60s } }
                  - { id: rules, match: { prefix: /rules/ }, upstream: origin, cache: { ttl: 60s } }
                  - { id: short-ttl, match: { prefix: /short-ttl/ }, upstream: origin, cache: { ttl: 1s } }
                  - { id: long-ttl, match: { prefix: /long-ttl/ }, upstream: origin, cache: { ttl: 60s } }
                  - id: keyed
                    match: { prefix: /keyed/ }
                    upstream: origin
                    cache: { ttl: 60s, key: [ client, "header:x-tenant" ] }
                  - id: small
                    match: { prefix: /small/ }
                    upstream: origin
                    cache: { ttl: 60s, max-object-size: 64B }
                  - id: swr
                    match: { prefix: /swr/ }
                    upstream: origin
                    cache: { ttl: 1s, stale-while-revalidate: 30s }
                  - id: revalidated
                    match: { prefix: /revalidated/ }
                    upstream: origin
                    cache: { ttl: 1s, stale-if-error: 60s }
                  - id: short-sie
                    match: { prefix: /short-sie/ }
                    upstream: origin
                    cache: { ttl: 1s, stale-if-error: 1s }
                  - id: fallible
                    match: { prefix: /fallible/ }
                    upstream: fallible
                    timeouts: { total: 500ms }
                    cache: { ttl: 1s, stale-if-error: 60s, store: local }
                  - { id: stampede, match: { prefix: /stampede/ }, upstream: origin, cache: { ttl: 60s } }
                  - id: price-writes
                    match: { prefix: /catalog/prices/, methods: [ POST ] }
                    upstream: origin
                    cache-purge: [ /catalog/list ]
                  - { id: writes, match: { prefix: /catalog/, methods: [ POST ] }, upstream: origin }
                  - { id: catalog, match: { prefix: /catalog/ }, upstream: origin, cache: { ttl: 60s } }
                  - { id: purged, match: { prefix: /purged/ }, upstream: origin, cache: { ttl: 60s } }
                  - { id: metered, match: { prefix: /metered/ }, upstream: origin, cache: { ttl: 60s } }
                """
                .replace("QUIET", QUIET)
                .replace("CLIENTS\n", EdgeClients.CONFIG)
                .replace("ORIGIN", origin.url())
                .replace("FALLIBLE", fallible.url());
        gateway = RampartProcess.gateway(config).name("CacheIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    // ---- hits ----------------------------------------------------------------------------------------------------

    @Test
    void secondGetIsAHitWithAnAgeAndTheSameBodyAndReachesTheOriginOnce() {
        HttpResponse<String> first = gateway.get("/fresh/item");
        HttpResponse<String> second = gateway.get("/fresh/item");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(xCache(first)).isEqualTo("MISS");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(xCache(second)).isEqualTo("HIT");
        assertThat(second.body()).isEqualTo(first.body()).isEqualTo("origin /fresh/item #1");
        assertThat(second.headers().firstValue("age")).hasValueSatisfying(age ->
                assertThat(Long.parseLong(age)).isBetween(0L, 60L));
        assertThat(second.headers().firstValue("content-type")).hasValue("text/plain");
        assertThat(origin.requests("/fresh/item")).isEqualTo(1);
    }

    @Test
    void headIsAnsweredFromAStoredGet() {
        HttpResponse<String> get = gateway.get("/fresh/headed");

        HttpResponse<String> head = send(HttpRequest.newBuilder(gateway.uri("/fresh/headed"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(xCache(head)).isEqualTo("HIT");
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("content-length"))
                .hasValue(Integer.toString(get.body().length()));
        assertThat(origin.received("/fresh/headed")).extracting(EdgeUpstream.Request::method).containsExactly("GET");
    }

    @Test
    void queryParametersInAnotherOrderShareAnEntry() {
        HttpResponse<String> first = gateway.get("/fresh/search?b=2&a=1");
        HttpResponse<String> second = gateway.get("/fresh/search?a=1&b=2");

        assertThat(xCache(first)).isEqualTo("MISS");
        assertThat(xCache(second)).isEqualTo("HIT");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(origin.requests("/fresh/search")).isEqualTo(1);
    }

    @Test
    void routeKeyPartsKeepSeparateEntriesPerClientAndPerHeaderValue() {
        HttpResponse<String> aliceA = gateway.get("/keyed/report", API_KEY, ALICE, "x-tenant", "a");
        HttpResponse<String> aliceAAgain = gateway.get("/keyed/report", API_KEY, ALICE, "x-tenant", "a");
        HttpResponse<String> bobA = gateway.get("/keyed/report", API_KEY, BOB, "x-tenant", "a");
        HttpResponse<String> aliceB = gateway.get("/keyed/report", API_KEY, ALICE, "x-tenant", "b");

        assertThat(xCache(aliceAAgain)).isEqualTo("HIT");
        assertThat(aliceAAgain.body()).isEqualTo(aliceA.body());
        assertThat(xCache(bobA)).as("another client's copy is not this client's").isEqualTo("MISS");
        assertThat(bobA.body()).isNotEqualTo(aliceA.body());
        assertThat(xCache(aliceB)).as("another value of the key header").isEqualTo("MISS");
        assertThat(origin.requests("/keyed/report")).isEqualTo(3);
    }

    @Test
    void responseLargerThanMaxObjectSizePassesThroughUncached() {
        String big = "x".repeat(100);
        origin.on("/small/big", Reply.ok(big));

        HttpResponse<String> first = gateway.get("/small/big");
        HttpResponse<String> second = gateway.get("/small/big");
        gateway.get("/small/tiny");
        HttpResponse<String> tiny = gateway.get("/small/tiny");

        assertThat(first.body()).isEqualTo(big);
        assertThat(second.body()).isEqualTo(big);
        assertThat(xCache(second)).isNotEqualTo("HIT");
        assertThat(origin.requests("/small/big")).isEqualTo(2);
        assertThat(xCache(tiny)).as("a small answer on the same route is cached").isEqualTo("HIT");
    }

    // ---- what may be stored (RFC 9111) ---------------------------------------------------------------------------

    @Test
    void noStorePrivateAndSetCookieResponsesAreNotStored() {
        origin.on("/rules/no-store", Reply.ok("no-store").header("cache-control", "no-store"));
        origin.on("/rules/private", Reply.ok("private").header("cache-control", "private, max-age=60"));
        origin.on("/rules/cookie", Reply.ok("cookie").header("set-cookie", "session=s3cr3t; HttpOnly"));

        for (String path : List.of("/rules/no-store", "/rules/private", "/rules/cookie")) {
            gateway.get(path);
            HttpResponse<String> again = gateway.get(path);

            assertThat(again.statusCode()).as(path).isEqualTo(200);
            assertThat(xCache(again)).as(path).isNotEqualTo("HIT");
            assertThat(origin.requests(path)).as(path).isEqualTo(2);
        }
    }

    @Test
    void requestWithAuthorizationIsNotStoredUnlessTheResponseSaysPublicOrSMaxage() {
        origin.on("/rules/auth-public", request -> Reply.ok("public #" + request.number())
                .header("cache-control", "public"));
        origin.on("/rules/auth-s-maxage", request -> Reply.ok("s-maxage #" + request.number())
                .header("cache-control", "s-maxage=60"));
        String[] authorized = {"Authorization", "Bearer edge-token"};

        gateway.get("/rules/auth-plain", authorized);
        HttpResponse<String> plain = gateway.get("/rules/auth-plain", authorized);
        gateway.get("/rules/auth-public", authorized);
        HttpResponse<String> shared = gateway.get("/rules/auth-public", authorized);
        gateway.get("/rules/auth-s-maxage", authorized);
        HttpResponse<String> sMaxage = gateway.get("/rules/auth-s-maxage", authorized);

        assertThat(xCache(plain)).isNotEqualTo("HIT");
        assertThat(origin.requests("/rules/auth-plain")).isEqualTo(2);
        assertThat(xCache(shared)).isEqualTo("HIT");
        assertThat(shared.body()).isEqualTo("public #1");
        assertThat(origin.requests("/rules/auth-public")).isEqualTo(1);
        assertThat(xCache(sMaxage)).isEqualTo("HIT");
        assertThat(origin.requests("/rules/auth-s-maxage")).isEqualTo(1);
    }

    @Test
    void sMaxageAndMaxAgeOfTheResponseBeatTheRoutesTtl() {
        origin.on("/short-ttl/max-age-60", request -> Reply.ok("long #" + request.number())
                .header("cache-control", "max-age=60"));
        origin.on("/long-ttl/max-age-1", request -> Reply.ok("short #" + request.number())
                .header("cache-control", "max-age=1"));
        origin.on("/long-ttl/s-maxage-1", request -> Reply.ok("shared-short #" + request.number())
                .header("cache-control", "max-age=60, s-maxage=1"));
        for (String path : List.of("/short-ttl/plain", "/short-ttl/max-age-60", "/long-ttl/max-age-1",
                "/long-ttl/s-maxage-1")) {
            assertThat(xCache(gateway.get(path))).as(path).isEqualTo("MISS");
        }

        awaitAnswerNotFromAFreshCopy("/short-ttl/plain"); // the route's one-second ttl is over

        HttpResponse<String> longLived = gateway.get("/short-ttl/max-age-60");
        assertThat(xCache(longLived)).as("max-age=60 outlives the route's ttl of 1s").isEqualTo("HIT");
        assertThat(longLived.body()).isEqualTo("long #1");
        assertThat(awaitAnswerNotFromAFreshCopy("/long-ttl/max-age-1").body())
                .as("max-age=1 ends before the route's ttl of 60s").isEqualTo("short #2");
        assertThat(awaitAnswerNotFromAFreshCopy("/long-ttl/s-maxage-1").body())
                .as("s-maxage=1 wins over max-age=60 in a shared cache").isEqualTo("shared-short #2");
    }

    @Test
    void varyKeepsOneEntryPerLanguage() {
        origin.on("/rules/greeting", request -> Reply.ok("hello in " + request.header("accept-language")
                + " #" + request.number()).header("vary", "Accept-Language"));

        HttpResponse<String> english = gateway.get("/rules/greeting", "accept-language", "en");
        HttpResponse<String> german = gateway.get("/rules/greeting", "accept-language", "de");
        HttpResponse<String> englishAgain = gateway.get("/rules/greeting", "accept-language", "en");
        HttpResponse<String> germanAgain = gateway.get("/rules/greeting", "accept-language", "de");

        assertThat(english.body()).isEqualTo("hello in en #1");
        assertThat(xCache(german)).isEqualTo("MISS");
        assertThat(german.body()).isEqualTo("hello in de #2");
        assertThat(xCache(englishAgain)).isEqualTo("HIT");
        assertThat(englishAgain.body()).isEqualTo("hello in en #1");
        assertThat(xCache(germanAgain)).isEqualTo("HIT");
        assertThat(germanAgain.body()).isEqualTo("hello in de #2");
        assertThat(origin.requests("/rules/greeting")).isEqualTo(2);
    }

    // ---- validators ----------------------------------------------------------------------------------------------

    @Test
    void clientWhoseIfNoneMatchEqualsTheStoredETagGets304FromTheCache() {
        origin.on("/rules/tagged", Reply.ok("tagged body").header("etag", "\"t1\""));
        gateway.get("/rules/tagged");

        HttpResponse<String> current = gateway.get("/rules/tagged", "if-none-match", "\"t1\"");
        HttpResponse<String> outdated = gateway.get("/rules/tagged", "if-none-match", "\"t0\"");

        assertThat(current.statusCode()).isEqualTo(304);
        assertThat(current.body()).isEmpty();
        assertThat(current.headers().firstValue("etag")).hasValue("\"t1\"");
        assertThat(xCache(current)).isEqualTo("HIT");
        assertThat(outdated.statusCode()).isEqualTo(200);
        assertThat(outdated.body()).isEqualTo("tagged body");
        assertThat(origin.requests("/rules/tagged")).isEqualTo(1);
    }

    @Test
    void expiredCopyWithAnETagIsRevalidatedAndServedWhenTheOriginAnswers304() {
        origin.on("/revalidated/doc", request -> "\"d1\"".equals(request.header("if-none-match"))
                ? new Reply(304, List.of(Map.entry("etag", "\"d1\"")), "", Duration.ZERO)
                : Reply.ok("document d1").header("etag", "\"d1\""));
        gateway.get("/revalidated/doc");

        HttpResponse<String> revalidated = awaitAnswerNotFromAFreshCopy("/revalidated/doc");

        assertThat(revalidated.statusCode()).isEqualTo(200);
        assertThat(xCache(revalidated)).isEqualTo("REVALIDATED");
        assertThat(revalidated.body()).isEqualTo("document d1");
        assertThat(origin.received("/revalidated/doc")).hasSize(2).last()
                .satisfies(conditional -> assertThat(conditional.header("if-none-match")).isEqualTo("\"d1\""));
        HttpResponse<String> after = gateway.get("/revalidated/doc");
        assertThat(xCache(after)).as("fresh again after the 304").isEqualTo("HIT");
        assertThat(after.body()).isEqualTo("document d1");
        assertThat(origin.requests("/revalidated/doc")).isEqualTo(2);
    }

    // ---- stale copies (RFC 5861) ---------------------------------------------------------------------------------

    @Test
    void staleCopyIsServedAtOnceWhileOneBackgroundRequestRefreshesIt() {
        origin.on("/swr/price", request -> request.number() == 1 ? Reply.ok("price v1")
                : Reply.ok("price v2").after(REFRESH_DELAY));
        gateway.get("/swr/price");

        HttpResponse<String> stale = awaitAnswerNotFromAFreshCopy("/swr/price");
        List<HttpResponse<String>> meanwhile = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            meanwhile.add(gateway.get("/swr/price"));
        }

        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(xCache(stale)).isEqualTo("STALE");
        assertThat(stale.body()).isEqualTo("price v1");
        assertThat(gateway.awaitAccessLog(requestId(stale)).path("duration_ms").asDouble())
                .as("answered without waiting for the refresh").isLessThan(REFRESH_DELAY.toMillis());
        assertThat(meanwhile).allSatisfy(response -> {
            assertThat(xCache(response)).isEqualTo("STALE");
            assertThat(response.body()).isEqualTo("price v1");
        });
        HttpResponse<String> refreshed = await().atMost(STALE_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> gateway.get("/swr/price"), response -> response.body().equals("price v2"));
        assertThat(xCache(refreshed)).isEqualTo("HIT");
        assertThat(origin.requests("/swr/price")).as("the first fetch and one refresh").isEqualTo(2);
    }

    @Test
    void staleCopyStandsInForAFailingOrSlowOriginAndFreshAnswersReturnAfterItRecovers() {
        fallible.on("/fallible/rate", Reply.ok("rate v1"));
        gateway.get("/fallible/rate");

        fallible.on("/fallible/rate", Reply.status(500, "internal trouble"));
        HttpResponse<String> on500 = awaitAnswerNotFromAFreshCopy("/fallible/rate");
        fallible.on("/fallible/rate", Reply.status(503, "overloaded"));
        HttpResponse<String> on503 = gateway.get("/fallible/rate");
        fallible.on("/fallible/rate", Reply.ok("rate too late").after(Duration.ofSeconds(2)));
        HttpResponse<String> onTimeout = gateway.get("/fallible/rate");
        fallible.stop();
        HttpResponse<String> onRefused;
        try {
            onRefused = gateway.get("/fallible/rate");
        } finally {
            fallible.on("/fallible/rate", Reply.ok("rate v2"));
            fallible.restart();
        }
        HttpResponse<String> recovered = gateway.get("/fallible/rate");
        HttpResponse<String> afterRecovery = gateway.get("/fallible/rate");

        for (HttpResponse<String> stale : List.of(on500, on503, onTimeout, onRefused)) {
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(xCache(stale)).isEqualTo("STALE");
            assertThat(stale.body()).isEqualTo("rate v1");
        }
        assertThat(recovered.statusCode()).isEqualTo(200);
        assertThat(recovered.body()).isEqualTo("rate v2");
        assertThat(xCache(afterRecovery)).isEqualTo("HIT");
        assertThat(afterRecovery.body()).isEqualTo("rate v2");
    }

    @Test
    void pastTheStaleIfErrorWindowTheOriginsErrorIsPassedOn() {
        origin.on("/short-sie/rate", request -> request.number() == 1 ? Reply.ok("rate v1")
                : Reply.status(500, "internal trouble"));
        gateway.get("/short-sie/rate");

        List<HttpResponse<String>> answers = new ArrayList<>();
        await().atMost(STALE_WITHIN).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> answer = gateway.get("/short-sie/rate");
            answers.add(answer);
            return answer.statusCode() != 200;
        });

        assertThat(answers).as("stale answers stood in first")
                .anySatisfy(answer -> assertThat(xCache(answer)).isEqualTo("STALE"));
        assertThat(answers).filteredOn(answer -> answer.statusCode() == 200)
                .allSatisfy(answer -> assertThat(answer.body()).isEqualTo("rate v1"));
        HttpResponse<String> failed = answers.get(answers.size() - 1);
        AdmissionIT.assertError(failed, 500, "upstream_error");
    }

    // ---- coalescing ----------------------------------------------------------------------------------------------

    @Test
    void stampedeOfConcurrentMissesForAColdKeyCausesExactlyOneOriginRequest() throws Exception {
        origin.on("/stampede/hot", Reply.ok("hot item").after(STAMPEDE_ORIGIN_DELAY));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(gateway.uri("/stampede/hot")).timeout(Duration.ofSeconds(30))
                .GET().build();

        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < STAMPEDE; i++) {
            pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);

        List<HttpResponse<String>> answers = pending.stream().map(CompletableFuture::join).toList();
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("hot item");
        });
        assertThat(origin.requests("/stampede/hot")).isEqualTo(1);
        assertThat(answers).filteredOn(answer -> "MISS".equals(xCache(answer))).hasSize(1);
        assertThat(answers).filteredOn(answer -> "HIT".equals(xCache(answer))).hasSize(STAMPEDE - 1);
        AdmissionIT.awaitMetrics(gateway, scrape -> assertThat(
                scrape.value("rampart_cache_coalesced_total", "route", "stampede"))
                .as("misses that waited for the one origin request").isPositive());
    }

    // ---- purges --------------------------------------------------------------------------------------------------

    @Test
    void successfulPostToTheSamePathPurgesTheCachedGet() {
        gateway.get("/catalog/items");
        assertThat(xCache(gateway.get("/catalog/items"))).isEqualTo("HIT");

        HttpResponse<String> write = post("/catalog/items");
        HttpResponse<String> after = gateway.get("/catalog/items");

        assertThat(write.statusCode()).isEqualTo(200);
        assertThat(xCache(after)).isEqualTo("MISS");
        assertThat(origin.received("/catalog/items")).extracting(EdgeUpstream.Request::method)
                .containsExactly("GET", "POST", "GET");
    }

    @Test
    void failedPostLeavesTheCachedGetInPlace() {
        origin.on("/catalog/broken", request -> request.method().equals("POST")
                ? Reply.status(500, "write failed") : Reply.ok("broken #" + request.number()));
        gateway.get("/catalog/broken");

        HttpResponse<String> write = post("/catalog/broken");
        HttpResponse<String> after = gateway.get("/catalog/broken");

        assertThat(write.statusCode()).isEqualTo(500);
        assertThat(xCache(after)).isEqualTo("HIT");
        assertThat(after.body()).isEqualTo("broken #1");
    }

    @Test
    void writeRouteWithCachePurgePurgesTheNamedPath() {
        gateway.get("/catalog/list");
        assertThat(xCache(gateway.get("/catalog/list"))).isEqualTo("HIT");

        HttpResponse<String> write = post("/catalog/prices/7");
        HttpResponse<String> after = gateway.get("/catalog/list");

        assertThat(write.statusCode()).isEqualTo(200);
        assertThat(xCache(after)).isEqualTo("MISS");
        assertThat(after.body()).isEqualTo("origin /catalog/list #2");
    }

    @Test
    void adminPurgeByKeyDropsOnePathAndByPrefixEveryPathUnderIt() {
        for (String path : List.of("/purged/v1/a", "/purged/v1/b", "/purged/v2/c")) {
            gateway.get(path);
            assertThat(xCache(gateway.get(path))).as(path).isEqualTo("HIT");
        }

        HttpResponse<String> byKey = admin("DELETE", "/api/v1/cache?route=purged&key=/purged/v1/a");

        assertThat(byKey.statusCode()).as(byKey.body()).isEqualTo(200);
        JsonNode keyAnswer = JsonLines.parse(byKey.body());
        assertThat(keyAnswer.path("purged").asInt()).isEqualTo(1);
        assertThat(keyAnswer.path("route").asText()).isEqualTo("purged");
        assertThat(xCache(gateway.get("/purged/v1/a"))).isEqualTo("MISS");
        assertThat(xCache(gateway.get("/purged/v1/b"))).isEqualTo("HIT");

        HttpResponse<String> byPrefix = admin("DELETE", "/api/v1/cache?prefix=/purged/v1/");

        assertThat(byPrefix.statusCode()).as(byPrefix.body()).isEqualTo(200);
        assertThat(JsonLines.parse(byPrefix.body()).path("purged").asInt()).as("a (cached again) and b")
                .isEqualTo(2);
        assertThat(xCache(gateway.get("/purged/v1/a"))).isEqualTo("MISS");
        assertThat(xCache(gateway.get("/purged/v1/b"))).isEqualTo("MISS");
        assertThat(xCache(gateway.get("/purged/v2/c"))).isEqualTo("HIT");
    }

    @Test
    void adminPurgeWithBothKeyAndPrefixIsABadRequest() {
        HttpResponse<String> both = admin("DELETE", "/api/v1/cache?key=/purged/x&prefix=/purged/");
        HttpResponse<String> neither = admin("DELETE", "/api/v1/cache?route=purged");
        HttpResponse<String> unknownRoute = admin("DELETE", "/api/v1/cache?route=nope&key=/purged/x");

        AdmissionIT.assertError(both, 400, "bad_request");
        AdmissionIT.assertError(neither, 400, "bad_request");
        AdmissionIT.assertError(unknownRoute, 404, "route_not_found");
    }

    // ---- metrics -------------------------------------------------------------------------------------------------

    @Test
    void cacheResultsAreCountedPerRouteAndResult() {
        gateway.get("/metered/one");
        gateway.get("/metered/one");
        gateway.get("/metered/one");

        AdmissionIT.awaitMetrics(gateway, scrape -> {
            assertThat(scrape.value("rampart_cache_requests_total", "route", "metered", "result", "miss"))
                    .isEqualTo(1);
            assertThat(scrape.value("rampart_cache_requests_total", "route", "metered", "result", "hit"))
                    .isEqualTo(2);
            assertThat(scrape.value("rampart_cache_stores_total", "route", "metered")).isEqualTo(1);
            assertThat(scrape.value("rampart_cache_local_bytes")).isPositive();
            assertThat(scrape.value("rampart_cache_local_entries")).isPositive();
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /**
     * Polls {@code path} until an answer does not come from a fresh copy (no {@code X-Cache: HIT}), and returns it;
     * the polls answered from the fresh copy never reach the origin.
     */
    private static HttpResponse<String> awaitAnswerNotFromAFreshCopy(String path) {
        Predicate<HttpResponse<String>> notAHit = response -> !"HIT".equals(xCache(response));
        return await().atMost(STALE_WITHIN).pollInterval(Duration.ofMillis(50)).until(() -> gateway.get(path), notAHit);
    }

    private static String xCache(HttpResponse<String> response) {
        return response.headers().firstValue("x-cache").orElse(null);
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("x-request-id").orElseThrow();
    }

    private static HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(gateway.uri(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"price\":42}")));
    }

    private static HttpResponse<String> admin(String method, String pathAndQuery) {
        return send(HttpRequest.newBuilder(gateway.adminUri(pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        return RampartProcess.send(request.timeout(Duration.ofSeconds(30)).build());
    }
}
