package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.ScriptedUpstream;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.rampart.it.support.ScriptedUpstream.Behaviour.slow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission on one gateway without Redis, proved black-box: who may call (API keys, 401 and 403), rate limits keyed
 * by client, header, client IP (X-Forwarded-For believed only from a trusted proxy) and JWT subject, the bucket of
 * callers whose key cannot be told, a client's own limit over all routes, per-client concurrency, the RateLimit
 * headers and the metrics.
 *
 * <p>Limits are counted per minute, so that no bucket refills while a test runs: a test's verdicts depend on its
 * requests alone. Every test has routes (or clients) of its own, so that no test spends another's bucket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdmissionIT {
    private static final String ALICE = "alice-key-7f3a";
    private static final String BOB = "bob-key-0c41";
    private static final String CAROL = "carol-key-9e22";
    private static final String DAVE = "dave-key-51d0";
    private static final String ERIN = "erin-key-a8b7";
    private static final String ISSUER = "admission-it";
    private static final String AUDIENCE = "rampart";
    /** HS256 wants a key of at least 256 bits. */
    private static final byte[] JWT_SECRET = "admission-it-secret-of-at-least-32-bytes".getBytes(StandardCharsets.UTF_8);
    private static final Duration SLOW_UPSTREAM = Duration.ofSeconds(1);

    private static final Upstreams upstreams = new Upstreams();
    private static ScriptedUpstream backend;
    private static ScriptedUpstream slowBackend;
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() throws IOException {
        backend = ScriptedUpstream.start(upstreams, "backend");
        slowBackend = ScriptedUpstream.start(upstreams, "slow").behave(slow(SLOW_UPSTREAM));
        Path secret = Files.createTempFile("admission-it-", ".secret");
        Files.write(secret, JWT_SECRET);
        String config = """
                service: admission-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                metrics: { enabled: true }
                identity:
                  api-key-header: X-Api-Key
                  trusted-proxies: [ "127.0.0.1" ]
                  jwt: { hmac-secret-file: "SECRET_FILE", issuer: ISSUER, audience: AUDIENCE }
                clients:
                  - { name: alice, api-keys: [ "sha256:ALICE" ] }
                  - { name: bob, api-keys: [ "sha256:BOB" ] }
                  - { name: carol, api-keys: [ "sha256:CAROL" ], routes: [ partner ] }
                  - { name: dave, api-keys: [ "sha256:DAVE" ], rate-limits: [ { name: dave-total, rate: 3/m, burst: 3 } ] }
                  - { name: erin, api-keys: [ "sha256:ERIN" ], max-concurrent: 2 }
                upstreams:
                  backend: { endpoints: [ "BACKEND" ], circuit-breaker: { enabled: false }, outlier-detection: { enabled: false } }
                  slow: { endpoints: [ "SLOW" ], circuit-breaker: { enabled: false }, outlier-detection: { enabled: false } }
                routes:
                  - { id: private, match: { prefix: /private/ }, upstream: backend, require-client: true }
                  - { id: partner, match: { prefix: /partner/ }, upstream: backend, require-client: true }
                  - id: per-client
                    match: { prefix: /per-client/ }
                    upstream: backend
                    rate-limits: [ { name: per-client, key: client, rate: 3/m, burst: 3 } ]
                  - id: separate
                    match: { prefix: /separate/ }
                    upstream: backend
                    rate-limits: [ { name: separate, key: client, rate: 2/m, burst: 2 } ]
                  - id: anonymous
                    match: { prefix: /anonymous/ }
                    upstream: backend
                    rate-limits: [ { name: by-client, key: client, rate: 100/m, unidentified: { rate: 2/m, burst: 2 } } ]
                  - id: tenants
                    match: { prefix: /tenants/ }
                    upstream: backend
                    rate-limits:
                      - { name: per-tenant, key: "header:X-Tenant", rate: 2/m, burst: 2, unidentified: { rate: 1/m, burst: 1 } }
                  - id: by-ip
                    match: { prefix: /by-ip/ }
                    upstream: backend
                    rate-limits: [ { name: per-ip, key: ip, rate: 2/m, burst: 2 } ]
                  - id: by-subject
                    match: { prefix: /by-subject/ }
                    upstream: backend
                    rate-limits:
                      - { name: per-subject, key: "jwt:sub", rate: 2/m, burst: 2, unidentified: { rate: 1/m, burst: 1 } }
                  - id: crowd
                    match: { prefix: /crowd/ }
                    upstream: backend
                    rate-limits: [ { name: crowd, key: route, rate: 5/m, burst: 5 } ]
                  - { id: plain-a, match: { prefix: /plain-a/ }, upstream: backend }
                  - { id: plain-b, match: { prefix: /plain-b/ }, upstream: backend }
                  - { id: slow, match: { prefix: /slow/ }, upstream: slow, max-concurrent-per-client: 2 }
                  - { id: slow-too, match: { prefix: /slow-too/ }, upstream: slow, max-concurrent-per-client: 2 }
                  - { id: solo, match: { prefix: /solo/ }, upstream: slow, max-concurrent-per-client: 1 }
                  - id: with-headers
                    match: { prefix: /with-headers/ }
                    upstream: backend
                    rate-limits: [ { name: hourly, key: client, rate: 10/m, burst: 10 } ]
                    rate-limit-headers: true
                  - id: no-headers
                    match: { prefix: /no-headers/ }
                    upstream: backend
                    rate-limits: [ { name: quiet, key: client, rate: 10/m, burst: 10 } ]
                    rate-limit-headers: false
                  - id: counted
                    match: { prefix: /counted/ }
                    upstream: backend
                    require-client: true
                    rate-limits: [ { name: counted, key: client, rate: 2/m, burst: 2 } ]
                """
                .replace("SECRET_FILE", secret.toString())
                .replace("ISSUER", ISSUER)
                .replace("AUDIENCE", AUDIENCE)
                .replace("ALICE", sha256(ALICE))
                .replace("BOB", sha256(BOB))
                .replace("CAROL", sha256(CAROL))
                .replace("DAVE", sha256(DAVE))
                .replace("ERIN", sha256(ERIN))
                .replace("BACKEND", backend.url())
                .replace("SLOW", slowBackend.url());
        gateway = RampartProcess.gateway(config).name("AdmissionIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    // ---- who may call --------------------------------------------------------------------------------------------

    @Test
    void requestWithoutOrWithUnknownKeyIsUnauthorizedWhereAClientIsRequired() {
        HttpResponse<String> missing = gateway.get("/private/1", "x-request-id", "no-key");
        HttpResponse<String> unknown = gateway.get("/private/2", "x-request-id", "unknown-key",
                "X-Api-Key", "not-a-known-key");
        HttpResponse<String> known = gateway.get("/private/3", "x-request-id", "known-key", "X-Api-Key", ALICE);

        assertError(missing, 401, "unauthorized");
        assertError(unknown, 401, "unauthorized");
        assertThat(missing.headers().firstValue("www-authenticate")).as("the challenge names the key's header")
                .hasValueSatisfying(challenge -> assertThat(challenge).containsIgnoringCase("x-api-key"));
        assertThat(known.statusCode()).as(known.body()).isEqualTo(200);
        assertThat(backend.received("no-key")).as("a refused request never reaches the upstream").isEmpty();
        assertThat(backend.received("unknown-key")).isEmpty();
        assertThat(gateway.awaitAccessLog("no-key").has("client")).isFalse();
        assertThat(gateway.awaitAccessLog("unknown-key").path("error_code").asText()).isEqualTo("unauthorized");
        assertThat(gateway.awaitAccessLog("known-key").path("client").asText()).isEqualTo("alice");
        assertThat(backend.received("known-key")).hasSize(1);
    }

    @Test
    void theApiKeyIsForwardedUpstreamByDefault() {
        HttpResponse<String> known = gateway.get("/private/forwarded", "x-request-id", "key-forwarded",
                "X-Api-Key", ALICE);

        assertThat(known.statusCode()).as(known.body()).isEqualTo(200);
        assertThat(backend.received("key-forwarded")).singleElement()
                .satisfies(received -> assertThat(received.header("x-api-key")).isEqualTo(ALICE));
    }

    @Test
    void clientIsForbiddenARouteItsAllowListDoesNotName() {
        HttpResponse<String> elsewhere = gateway.get("/private/carol", "x-request-id", "carol-private",
                "X-Api-Key", CAROL);
        HttpResponse<String> allowed = gateway.get("/partner/carol", "x-request-id", "carol-partner",
                "X-Api-Key", CAROL);

        assertError(elsewhere, 403, "forbidden");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(backend.received("carol-private")).isEmpty();
        assertThat(gateway.awaitAccessLog("carol-private").path("client").asText()).isEqualTo("carol");
        assertThat(gateway.awaitAccessLog("carol-partner").path("client").asText()).isEqualTo("carol");
    }

    // ---- rate limits ---------------------------------------------------------------------------------------------

    @Test
    void clientOverItsLimitGets429WithRetryAfterAndRateLimitHeadersAndTheLogNamesTheLimit() {
        for (int i = 0; i < 3; i++) {
            assertThat(gateway.get("/per-client/" + i, "X-Api-Key", ALICE).statusCode()).isEqualTo(200);
        }

        HttpResponse<String> refused = gateway.get("/per-client/3", "x-request-id", "alice-over", "X-Api-Key", ALICE);

        assertError(refused, 429, "rate_limited");
        // 3 a minute: the next place frees 20 s after the first of the burst
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(15L, 20L);
        assertThat(refused.headers().firstValue("ratelimit-policy")).hasValue("\"per-client\";q=3;w=60");
        assertThat(refused.headers().firstValue("ratelimit"))
                .hasValue("\"per-client\";r=0;t=" + retryAfter);
        assertThat(backend.received("alice-over")).isEmpty();
        JsonNode logged = gateway.awaitAccessLog("alice-over");
        assertThat(logged.path("status").asInt()).isEqualTo(429);
        assertThat(logged.path("client").asText()).isEqualTo("alice");
        assertThat(logged.path("rate_limit").asText()).isEqualTo("per-client");
        assertThat(logged.path("error_code").asText()).isEqualTo("rate_limited");
    }

    @Test
    void twoClientsHaveSeparateBuckets() {
        assertThat(statuses("/separate/a", 3, "X-Api-Key", ALICE)).containsExactly(200, 200, 429);

        assertThat(statuses("/separate/b", 2, "X-Api-Key", BOB)).as("bob's bucket is his own").containsExactly(200, 200);
    }

    @Test
    void callersWithoutAKnownKeyShareOneLimitedBucket() {
        assertThat(statuses("/anonymous/none", 3)).containsExactly(200, 200, 429);

        HttpResponse<String> otherStranger = gateway.get("/anonymous/unknown", "x-request-id", "stranger",
                "X-Api-Key", "someone-else");
        HttpResponse<String> alice = gateway.get("/anonymous/alice", "X-Api-Key", ALICE);

        assertError(otherStranger, 429, "rate_limited");
        JsonNode logged = gateway.awaitAccessLog("stranger");
        assertThat(logged.path("rate_limit").asText()).isEqualTo("by-client");
        assertThat(logged.has("client")).isFalse();
        assertThat(otherStranger.headers().firstValue("ratelimit-policy"))
                .as("the policy of the bucket the caller was held to").hasValue("\"by-client\";q=2;w=60");
        assertThat(alice.statusCode()).as("a known client has its own, larger bucket").isEqualTo(200);
    }

    @Test
    void headerKeyGivesEachValueItsOwnBucketAndRequestsWithoutItShareAnother() {
        assertThat(statuses("/tenants/a", 3, "X-Tenant", "acme")).containsExactly(200, 200, 429);
        assertThat(statuses("/tenants/b", 2, "X-Tenant", "globex")).containsExactly(200, 200);

        assertThat(statuses("/tenants/none", 2)).as("no X-Tenant: the unidentified bucket, 1 a minute")
                .containsExactly(200, 429);
        assertThat(statuses("/tenants/empty", 1, "X-Tenant", "")).as("an empty value tells nothing either")
                .containsExactly(429);
    }

    @Test
    void ipKeyBelievesForwardedForFromATrustedProxy() {
        assertThat(statuses("/by-ip/a", 3, "X-Forwarded-For", "203.0.113.7")).containsExactly(200, 200, 429);
        assertThat(statuses("/by-ip/b", 2, "X-Forwarded-For", "203.0.113.8")).as("another client behind the proxy")
                .containsExactly(200, 200);

        // a client cannot leave its bucket by writing an address of its own before the proxy's entry
        HttpResponse<String> spoofed = gateway.get("/by-ip/c", "x-request-id", "spoofed-xff",
                "X-Forwarded-For", "198.51.100.1, 203.0.113.7");
        assertError(spoofed, 429, "rate_limited");
        assertThat(gateway.awaitAccessLog("spoofed-xff").path("rate_limit").asText()).isEqualTo("per-ip");
        // nor by sending a line of its own before the one the proxy added
        HttpResponse<String> ownLine = RampartProcess.send(HttpRequest.newBuilder(gateway.uri("/by-ip/d"))
                .timeout(Duration.ofSeconds(30)).header("X-Forwarded-For", "198.51.100.2")
                .header("X-Forwarded-For", "203.0.113.7").GET().build());
        assertError(ownLine, 429, "rate_limited");
    }

    @Test
    void ipKeyIgnoresForwardedForFromAPeerThatIsNoTrustedProxy() {
        String config = """
                service: admission-untrusted-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                identity: { trusted-proxies: [ "10.0.0.0/8" ] }
                upstreams:
                  backend: { endpoints: [ "BACKEND" ] }
                routes:
                  - id: by-ip
                    match: { prefix: /by-ip/ }
                    upstream: backend
                    rate-limits: [ { name: per-ip, key: ip, rate: 2/m, burst: 2 } ]
                """.replace("BACKEND", backend.url());
        try (RampartProcess untrusting = RampartProcess.gateway(config).name("AdmissionIT-untrusted").start()) {
            for (String claimed : List.of("203.0.113.7", "203.0.113.8")) {
                assertThat(untrusting.get("/by-ip/" + claimed, "X-Forwarded-For", claimed).statusCode())
                        .isEqualTo(200);
            }

            HttpResponse<String> third = untrusting.get("/by-ip/x", "X-Forwarded-For", "203.0.113.9");

            assertThat(third.statusCode()).as("all three came from 127.0.0.1, whatever they claimed: one bucket")
                    .isEqualTo(429);
        }
    }

    @Test
    void jwtSubjectKeyGivesEachVerifiedSubjectItsOwnBucket() {
        String user1 = "Bearer " + jwt(JWT_SECRET, "user-1", AUDIENCE, 600);
        String user2 = "Bearer " + jwt(JWT_SECRET, "user-2", AUDIENCE, 600);

        assertThat(statuses("/by-subject/1", 3, "Authorization", user1)).containsExactly(200, 200, 429);
        assertThat(statuses("/by-subject/2", 2, "Authorization", user2)).containsExactly(200, 200);
    }

    @Test
    void tokensThatFailVerificationShareTheUnidentifiedBucketWhateverTheirSubject() {
        byte[] otherSecret = "another-secret-that-is-long-enough-too".getBytes(StandardCharsets.UTF_8);
        String forged = "Bearer " + jwt(otherSecret, "forger-1", AUDIENCE, 600);
        String expired = "Bearer " + jwt(JWT_SECRET, "late-2", AUDIENCE, -3600);
        String wrongAudience = "Bearer " + jwt(JWT_SECRET, "stranger-3", "someone-else", 600);

        assertThat(gateway.get("/by-subject/forged", "Authorization", forged).statusCode())
                .as("the unidentified bucket holds one").isEqualTo(200);
        assertThat(gateway.get("/by-subject/expired", "Authorization", expired).statusCode()).isEqualTo(429);
        assertThat(gateway.get("/by-subject/audience", "Authorization", wrongAudience).statusCode()).isEqualTo(429);
        assertThat(gateway.get("/by-subject/none").statusCode()).isEqualTo(429);
    }

    @Test
    void requestsArrivingAllAtOnceOnEveryEventLoopGetNoMoreThanTheBurst() {
        List<CompletableFuture<HttpResponse<String>>> crowd = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            crowd.add(RampartProcess.httpClient().sendAsync(HttpRequest.newBuilder(gateway.uri("/crowd/" + i))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }

        List<Integer> statuses = statuses(crowd);

        assertThat(statuses).containsOnly(200, 429);
        assertThat(statuses.stream().filter(status -> status == 200).count()).as("admitted of 40 at once")
                .isEqualTo(5);
    }

    @Test
    void clientsOwnLimitCountsItsRequestsOnEveryRoute() {
        assertThat(statuses("/plain-a/1", 2, "X-Api-Key", DAVE)).containsExactly(200, 200);
        assertThat(statuses("/plain-b/1", 1, "X-Api-Key", DAVE)).containsExactly(200);

        HttpResponse<String> fourth = gateway.get("/plain-b/2", "x-request-id", "dave-fourth", "X-Api-Key", DAVE);

        assertError(fourth, 429, "rate_limited");
        assertThat(fourth.headers().firstValue("ratelimit-policy")).hasValue("\"dave-total\";q=3;w=60");
        JsonNode logged = gateway.awaitAccessLog("dave-fourth");
        assertThat(logged.path("client").asText()).isEqualTo("dave");
        assertThat(logged.path("rate_limit").asText()).isEqualTo("dave-total");
        assertThat(gateway.get("/plain-a/other", "X-Api-Key", ALICE).statusCode())
                .as("another client on the same route").isEqualTo(200);
    }

    // ---- concurrency ---------------------------------------------------------------------------------------------

    @Test
    void requestsBeyondTheClientsConcurrencyAreRefusedUntilItsRequestsFinish() {
        List<CompletableFuture<HttpResponse<String>>> inFlight = holdInFlight(ALICE, "/slow/1", "/slow/2");

        HttpResponse<String> third = gateway.get("/slow/3", "x-request-id", "alice-third", "X-Api-Key", ALICE);
        HttpResponse<String> bob = getAsync("/slow/bob", BOB).join();

        assertThat(statuses(inFlight)).containsExactly(200, 200);
        assertError(third, 429, "too_many_concurrent_requests");
        assertThat(third.headers().firstValue("retry-after")).hasValue("1");
        assertThat(gateway.awaitAccessLog("alice-third").path("client").asText()).isEqualTo("alice");
        assertThat(bob.statusCode()).as("bob's requests are counted apart: " + bob.body()).isEqualTo(200);
        assertThat(gateway.get("/slow/4", "X-Api-Key", ALICE).statusCode()).as("places given back").isEqualTo(200);
        awaitMetrics(gateway, scrape -> assertThat(scrape.value("rampart_admission_refusals_total",
                "route", "slow", "reason", "concurrency", "client", "alice")).isEqualTo(1));
    }

    @Test
    void clientsOwnConcurrencyCountsItsRequestsOnEveryRoute() {
        List<CompletableFuture<HttpResponse<String>>> inFlight = holdInFlight(ERIN, "/slow/erin", "/slow-too/erin");

        HttpResponse<String> third = gateway.get("/plain-a/erin", "X-Api-Key", ERIN);

        assertThat(statuses(inFlight)).containsExactly(200, 200);
        assertError(third, 429, "too_many_concurrent_requests");
        assertThat(gateway.get("/plain-a/erin-again", "X-Api-Key", ERIN).statusCode()).isEqualTo(200);
    }

    /** The route's {@code max-concurrent-per-client} is "the most requests of one client in flight on this route". */
    @Test
    void routesConcurrencyPerClientCountsOnlyThatRoutesRequests() {
        List<CompletableFuture<HttpResponse<String>>> inFlight = holdInFlight(BOB, "/slow/bob-1", "/slow/bob-2");

        HttpResponse<String> otherRoute = getAsync("/slow-too/bob", BOB).join();

        assertThat(statuses(inFlight)).containsExactly(200, 200);
        assertThat(otherRoute.statusCode()).as("bob has nothing in flight on slow-too: " + otherRoute.body())
                .isEqualTo(200);
    }

    /** A client's own limit over all routes does not lift a route's tighter limit per client. */
    @Test
    void routesConcurrencyPerClientHoldsForAClientWithALimitOfItsOwn() {
        List<CompletableFuture<HttpResponse<String>>> inFlight = holdInFlight(ERIN, "/solo/erin-1");

        HttpResponse<String> second = gateway.get("/solo/erin-2", "X-Api-Key", ERIN);

        assertThat(statuses(inFlight)).containsExactly(200);
        assertError(second, 429, "too_many_concurrent_requests");
    }

    // ---- headers and metrics -------------------------------------------------------------------------------------

    @Test
    void successfulAnswersCarryRateLimitHeadersOnlyWhereTheRouteAsksForThem() {
        HttpResponse<String> withHeaders = gateway.get("/with-headers/1", "X-Api-Key", BOB);
        HttpResponse<String> without = gateway.get("/no-headers/1", "X-Api-Key", BOB);

        assertThat(withHeaders.statusCode()).isEqualTo(200);
        assertThat(withHeaders.headers().firstValue("ratelimit-policy")).hasValue("\"hourly\";q=10;w=60");
        // 10 a minute, bursts of 10: one used, 9 left, full again 6 s (one emission interval) later
        assertThat(withHeaders.headers().firstValue("ratelimit")).hasValue("\"hourly\";r=9;t=6");
        assertThat(without.statusCode()).isEqualTo(200);
        assertThat(without.headers().firstValue("ratelimit-policy")).isEmpty();
        assertThat(without.headers().firstValue("ratelimit")).isEmpty();
    }

    @Test
    void decisionsAndRefusalsAreCountedByRouteLimitAndClient() {
        assertError(gateway.get("/counted/anonymous"), 401, "unauthorized");
        assertError(gateway.get("/counted/carol", "X-Api-Key", CAROL), 403, "forbidden");
        assertThat(statuses("/counted/bob", 3, "X-Api-Key", BOB)).containsExactly(200, 200, 429);

        awaitMetrics(gateway, scrape -> {
            assertThat(scrape.value("rampart_admission_refusals_total",
                    "route", "counted", "reason", "unauthorized", "client", "none")).isEqualTo(1);
            assertThat(scrape.value("rampart_admission_refusals_total",
                    "route", "counted", "reason", "forbidden", "client", "carol")).isEqualTo(1);
            assertThat(scrape.value("rampart_rate_limit_decisions_total",
                    "route", "counted", "limit", "counted", "client", "bob", "decision", "allowed")).isEqualTo(2);
            assertThat(scrape.value("rampart_rate_limit_decisions_total",
                    "route", "counted", "limit", "counted", "client", "bob", "decision", "limited")).isEqualTo(1);
            assertThat(scrape.value("rampart_requests_total", "route", "counted", "status_class", "4xx"))
                    .isEqualTo(3);
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** The statuses of {@code count} GETs sent one after the other with these headers (name, value pairs). */
    private static List<Integer> statuses(String path, int count, String... headers) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> response = gateway.get(path, headers);
            if (response.statusCode() != 200 && response.statusCode() != 429) {
                throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
            }
            statuses.add(response.statusCode());
        }
        return statuses;
    }

    /** Sends these slow requests at once and returns when the slow upstream has them all in hand. */
    private static List<CompletableFuture<HttpResponse<String>>> holdInFlight(String apiKey, String... paths) {
        int before = slowBackend.requests();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (String path : paths) {
            inFlight.add(getAsync(path, apiKey));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> slowBackend.requests() >= before + paths.length);
        return inFlight;
    }

    /** The statuses of requests sent earlier, once all of them are answered. */
    private static List<Integer> statuses(List<CompletableFuture<HttpResponse<String>>> requests) {
        return requests.stream().map(request -> request.join().statusCode()).toList();
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(String path, String apiKey) {
        return RampartProcess.httpClient().sendAsync(HttpRequest.newBuilder(gateway.uri(path))
                .timeout(Duration.ofSeconds(30)).header("X-Api-Key", apiKey).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An HS256 JWT for {@code subject}, expiring {@code expiresInSeconds} from now (negative: expired). */
    private static String jwt(byte[] secret, String subject, String audience, long expiresInSeconds) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = System.currentTimeMillis() / 1000 + expiresInSeconds;
        String claims = base64.encodeToString(("{\"sub\":\"" + subject + "\",\"iss\":\"" + ISSUER + "\",\"aud\":\""
                + audience + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] signature = mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + base64.encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String apiKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails unless the answer is this status with this stable error code in its JSON body. */
    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JsonLines.parse(response.body()).path("error").path("code").asText()).isEqualTo(code);
    }

    /** The gateway's {@code /metrics} now. */
    static MetricsIT.Exposition scrape(RampartProcess process) {
        HttpResponse<String> response = RampartProcess.send(HttpRequest.newBuilder(process.adminUri("/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build());
        assertThat(response.statusCode()).as("GET /metrics on the admin port").isEqualTo(200);
        return MetricsIT.Exposition.parse(response.body());
    }

    /** Scrapes {@code /metrics} until the assertions hold: counters move right after the response is sent. */
    static void awaitMetrics(RampartProcess process, Consumer<MetricsIT.Exposition> assertions) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertions.accept(scrape(process)));
    }
}
