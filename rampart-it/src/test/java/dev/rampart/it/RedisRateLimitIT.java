package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.FixedRateLoad;
import dev.rampart.it.support.FixedRateLoad.Answer;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RedisServer;
import dev.rampart.it.support.ScriptedUpstream;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.rampart.it.AdmissionIT.assertError;
import static dev.rampart.it.AdmissionIT.awaitMetrics;
import static dev.rampart.it.AdmissionIT.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Rate limits shared by three gateway instances through a real Redis, started by this test on a port of its own so
 * that stopping it disturbs nobody else: the instances together admit the shared rate, and while Redis is away each
 * route follows its {@code on-redis-failure} mode until Redis is back.
 *
 * <p>The accuracy test runs first, while no instance has ever lost Redis; the tests after it stop, restart and flush
 * it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisRateLimitIT {
    /** The shared limit of the accuracy test, per second; each instance is offered as much, 3x in total. */
    private static final int SHARED_RATE = 40;
    private static final Duration JIT_WARM_UP = Duration.ofSeconds(3);
    private static final Duration LOAD = Duration.ofSeconds(12);
    /** The first part of the load, while the burst is spent, is not measured. */
    private static final Duration STEADY_FROM = Duration.ofSeconds(2);
    private static final int INSTANCES = 3;
    /** The local route's limit: 30 a minute in all, so 10 a minute (bursts of 10) per instance without Redis. */
    private static final int LOCAL_LIMIT = 30;

    private static final String BATCH_KEY = "batch-job-key";
    private static final Duration SLOW = Duration.ofSeconds(2);

    private static final Upstreams upstreams = new Upstreams();
    private static ScriptedUpstream slowBackend;
    private static RedisServer redis;
    private static final List<RampartProcess> gateways = new ArrayList<>();

    @BeforeAll
    static void startRedisAndGateways() {
        assumeThat(RedisServer.executable())
                .as("RedisRateLimitIT needs a redis-server on the PATH or in /usr/bin; none found, so it is skipped")
                .isPresent();
        redis = RedisServer.start();
        ScriptedUpstream backend = ScriptedUpstream.start(upstreams, "backend");
        slowBackend = ScriptedUpstream.start(upstreams, "slow").behave(ScriptedUpstream.Behaviour.slow(SLOW));
        String config = """
                service: redis-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                metrics: { enabled: true }
                # generous: on a two-core machine running four JVMs a call now and then takes longer than the usual
                # 20 ms, and a late call's request is decided by the fallback (this test is about sharing)
                state: { redis: { url: "REDIS_URL", timeout: 250ms, instances: INSTANCES } }
                upstreams:
                  backend: { endpoints: [ "BACKEND" ], circuit-breaker: { enabled: false }, outlier-detection: { enabled: false } }
                  slow: { endpoints: [ "SLOW_BACKEND" ], circuit-breaker: { enabled: false }, outlier-detection: { enabled: false } }
                clients:
                  - { name: batch-job, api-keys: [ "sha256:BATCH_KEY_HASH" ] }
                routes:
                  - id: in-flight
                    match: { prefix: /in-flight/ }
                    upstream: slow
                    max-concurrent-per-client: 2
                  - id: shared
                    match: { prefix: /shared/ }
                    upstream: backend
                    # a burst of a few keeps the bucket's clock running while it is saturated: each admitted request
                    # moves it exactly one interval, so the admitted rate is the limit's
                    rate-limits: [ { name: shared, key: route, rate: SHARED_RATE/s, burst: 5 } ]
                  - id: local
                    match: { prefix: /local/ }
                    upstream: backend
                    rate-limits: [ { name: local, key: route, rate: LOCAL_LIMIT/m, burst: LOCAL_LIMIT } ]
                    on-redis-failure: local
                  - id: open
                    match: { prefix: /open/ }
                    upstream: backend
                    rate-limits: [ { name: open, key: route, rate: 1/m, burst: 1 } ]
                    on-redis-failure: open
                  - id: closed
                    match: { prefix: /closed/ }
                    upstream: backend
                    rate-limits: [ { name: closed, key: route, rate: 1000/s, burst: 1000 } ]
                    on-redis-failure: closed
                """
                .replace("REDIS_URL", redis.url())
                .replace("INSTANCES", Integer.toString(INSTANCES))
                .replace("SHARED_RATE", Integer.toString(SHARED_RATE))
                .replace("LOCAL_LIMIT", Integer.toString(LOCAL_LIMIT))
                .replace("SLOW_BACKEND", slowBackend.url())
                .replace("BATCH_KEY_HASH", AdmissionIT.sha256(BATCH_KEY))
                .replace("BACKEND", backend.url());
        List<CompletableFuture<RampartProcess>> starting = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            String name = "RedisRateLimitIT-" + (char) ('a' + i);
            starting.add(CompletableFuture.supplyAsync(() -> RampartProcess.gateway(config).name(name).start()));
        }
        starting.forEach(instance -> gateways.add(instance.join()));
    }

    @AfterAll
    static void stop() {
        gateways.forEach(RampartProcess::close);
        if (redis != null) {
            redis.close();
        }
        upstreams.close();
    }

    @Test
    @Order(1)
    void threeInstancesOfferedThreeTimesTheSharedRateAdmitItWithinTwoPercent() {
        List<URI> targets = gateways.stream().map(gateway -> gateway.uri("/shared/items")).toList();
        // four JVMs compiling their hot paths at once on two cores stall for longer than any sane Redis timeout:
        // the JVMs warm up first, and the measured load begins once every instance decides through Redis again
        FixedRateLoad.start(RampartProcess.httpClient(), targets, SHARED_RATE, JIT_WARM_UP).awaitAnswers();
        for (RampartProcess gateway : gateways) {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> readiness(gateway).path("redis").path("status").asText(), "up"::equals);
        }
        double allowedBefore = allowedDecisions("shared");
        List<Double> fallbacksBefore = gateways.stream().map(RedisRateLimitIT::fallbacks).toList();

        List<Answer> answers = FixedRateLoad.start(RampartProcess.httpClient(), targets, SHARED_RATE, LOAD)
                .awaitAnswers();

        Map<Integer, Long> unexpected = answers.stream()
                .filter(answer -> answer.status() != 200 && answer.status() != 429)
                .collect(Collectors.groupingBy(Answer::status, TreeMap::new, Collectors.counting()));
        assertThat(unexpected).as("answers other than 200 and 429 (-1: no answer, e.g. %s)", answers.stream()
                .map(Answer::failure).filter(Objects::nonNull).distinct().limit(3).toList()).isEmpty();
        List<Answer> steady = answers.stream()
                .filter(answer -> answer.due().compareTo(STEADY_FROM) >= 0 && answer.due().compareTo(LOAD) < 0)
                .toList();
        long admitted = steady.stream().filter(answer -> answer.status() == 200).count();
        double seconds = (LOAD.toMillis() - STEADY_FROM.toMillis()) / 1000.0;
        double rate = admitted / seconds;
        Map<Integer, Long> byInstance = steady.stream().filter(answer -> answer.status() == 200)
                .collect(Collectors.groupingBy(Answer::target, TreeMap::new, Collectors.counting()));
        List<Double> withoutRedis = new ArrayList<>();
        for (int i = 0; i < gateways.size(); i++) {
            withoutRedis.add(fallbacks(gateways.get(i)) - fallbacksBefore.get(i));
        }
        assertThat(steady).as("requests offered in the measured part").hasSize(INSTANCES * SHARED_RATE * 10);
        assertThat(rate).as("admitted per second over %.0f s (%d of %d; by instance %s; decisions without Redis by "
                        + "instance %s)", seconds, admitted, steady.size(), byInstance, withoutRedis)
                .isBetween(SHARED_RATE * 0.98, SHARED_RATE * 1.02);
        long admittedInAll = answers.stream().filter(answer -> answer.status() == 200).count();
        assertThat(allowedDecisions("shared") - allowedBefore).as("allowed decisions counted by the instances")
                .isEqualTo(admittedInAll);
        for (RampartProcess gateway : gateways) {
            assertThat(scrape(gateway).value("rampart_rate_limit_redis_duration_seconds_count", "outcome", "ok"))
                    .as("decisions that went to Redis").isPositive();
        }
    }

    @Test
    @Order(2)
    void whileRedisIsAwayEachRouteFollowsItsFailureModeAndItsDecisionsComeBackToRedis() {
        RampartProcess gateway = gateways.get(0);
        assertThat(gateway.get("/open/1").statusCode()).isEqualTo(200);
        assertError(gateways.get(1).get("/open/2"), 429, "rate_limited");
        assertThat(redis.keys("rampart:*")).as("the open route's bucket, shared by the instances")
                .contains("rampart:r/open/open/all");
        int mark = gateway.stdoutMark();

        redis.stop();

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> closed = gateway.get("/closed/" + i);
            assertError(closed, 503, "rate_limit_unavailable");
            assertThat(closed.headers().firstValue("retry-after")).hasValue("1");
        }
        assertThat(statuses(gateway, "/open/", 5)).as("the open route lets everything through").containsOnly(200);
        List<Integer> local = statuses(gateway, "/local/", LOCAL_LIMIT / INSTANCES + 5);
        assertThat(local.stream().filter(status -> status == 200).count())
                .as("this instance's share of the local route's limit: %s", local)
                .isEqualTo(LOCAL_LIMIT / INSTANCES);
        JsonNode readiness = readiness(gateway);
        assertThat(readiness.path("redis").path("status").asText()).isEqualTo("down");
        assertThat(readiness.path("redis").path("address").asText()).isEqualTo(redis.address());
        assertThat(readiness.path("redis").path("problem").asText()).isNotEmpty();
        assertThat(readiness.path("redis").path("failed_calls").asLong()).as("calls Redis did not answer")
                .isPositive();
        gateway.awaitStdoutSince(mark, line -> line.contains("redis unavailable"), Duration.ofSeconds(5));
        awaitMetrics(gateway, scrape -> {
            assertThat(scrape.value("rampart_rate_limit_redis_fallbacks_total", "route", "closed", "mode", "closed"))
                    .isEqualTo(3);
            assertThat(scrape.value("rampart_rate_limit_redis_fallbacks_total", "route", "open", "mode", "open"))
                    .isEqualTo(5);
            assertThat(scrape.value("rampart_rate_limit_redis_fallbacks_total", "route", "local", "mode", "local"))
                    .isEqualTo(local.size());
            assertThat(scrape.value("rampart_rate_limit_redis_up", "redis", redis.address())).isZero();
            assertThat(scrape.value("rampart_rate_limit_redis_duration_seconds_count", "outcome", "failed"))
                    .isPositive();
        });

        redis.restart();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> readiness(gateway).path("redis").path("status").asText(), "up"::equals);
        // the open route is limited again (1 a minute, in the new and empty Redis): decisions are Redis's once more
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> gateway.get("/open/again").statusCode() == 429);
        assertThat(redis.keys("rampart:*")).contains("rampart:r/open/open/all");
        double fallbacks = fallbacks(gateway);
        assertThat(statuses(gateway, "/closed/again-", 5)).containsOnly(200);
        assertThat(fallbacks(gateway)).as("fallbacks once Redis is back").isEqualTo(fallbacks);
        assertThat(scrape(gateway).value("rampart_rate_limit_redis_up", "redis", redis.address())).isEqualTo(1);
        gateway.awaitStdoutSince(mark, line -> line.contains("redis available again"), Duration.ofSeconds(5));
    }

    @Test
    @Order(3)
    void onceReadinessSaysRedisIsBackTheNextDecisionIsRedisToo() {
        RampartProcess gateway = gateways.get(0);
        redis.stop();
        assertThat(statuses(gateway, "/closed/gone-", 3)).containsOnly(503);
        assertThat(readiness(gateway).path("redis").path("status").asText()).isEqualTo("down");

        redis.restart();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> readiness(gateway).path("redis").path("status").asText(), "up"::equals);
        double fallbacks = fallbacks(gateway);
        int mark = gateway.stdoutMark();

        List<Integer> closed = statuses(gateway, "/closed/back-", 5);
        gateway.awaitAccessLog("closed-back-4"); // what the gateway logged while deciding is on its stdout by then

        assertThat(closed).as("the closed route once /readyz says Redis is up; the gateway said %s",
                gateway.stdoutSince(mark).stream().filter(line -> line.contains("RedisCells")).toList())
                .containsOnly(200);
        assertThat(fallbacks(gateway)).as("fallbacks once /readyz says Redis is up").isEqualTo(fallbacks);
        assertThat(gateway.stdoutSince(mark)).noneSatisfy(line -> assertThat(line).contains("redis unavailable"));
    }

    /** A Redis that restarted, failed over or had its scripts flushed has forgotten the Lua script: not a failure. */
    @Test
    @Order(4)
    void aRedisThatForgotTheScriptStillDecidesTheNextRequest() {
        RampartProcess gateway = gateways.get(1);
        assertThat(statuses(gateway, "/closed/before-flush-", 2)).containsOnly(200);
        double fallbacks = fallbacks(gateway);

        assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");

        assertThat(statuses(gateway, "/closed/after-flush-", 3)).as("the closed route right after SCRIPT FLUSH")
                .containsOnly(200);
        assertThat(fallbacks(gateway)).as("decisions made without Redis, which answered every call")
                .isEqualTo(fallbacks);
    }

    /** A client's places in flight on a route are counted in Redis: what it holds on one instance, the others see. */
    @Test
    @Order(5)
    void aClientsRequestsInFlightOnOneInstanceCountOnTheOthers() {
        int before = slowBackend.requests();
        List<CompletableFuture<HttpResponse<String>>> held = List.of(
                sendAsync(gateways.get(0), "/in-flight/a"), sendAsync(gateways.get(1), "/in-flight/b"));
        await().atMost(Duration.ofSeconds(5)).until(() -> slowBackend.requests() >= before + 2);

        HttpResponse<String> third = gateways.get(2).get("/in-flight/c", "X-Api-Key", BATCH_KEY);

        assertError(third, 429, "too_many_concurrent_requests");
        assertThat(redis.keys("rampart:inflight/*")).as("the route's set of places for the client")
                .contains("rampart:inflight/r/in-flight/c/batch-job");
        assertThat(held.stream().map(request -> request.join().statusCode())).containsExactly(200, 200);
        assertThat(gateways.get(2).get("/in-flight/d", "X-Api-Key", BATCH_KEY).statusCode())
                .as("both places given back").isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(redis.keys("rampart:inflight/*"))
                .as("every place given back: an empty set is no key").isEmpty());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /**
     * Statuses of {@code count} GETs to {@code prefix + i}, sent one after the other; each has its path, with dashes for
     * slashes, as its request id.
     */
    private static List<Integer> statuses(RampartProcess gateway, String prefix, int count) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String path = prefix + i;
            statuses.add(gateway.get(path, "x-request-id", path.substring(1).replace('/', '-')).statusCode());
        }
        return statuses;
    }

    private static JsonNode readiness(RampartProcess gateway) {
        HttpResponse<String> ready = gateway.readyz().orElseThrow(() -> new AssertionError("/readyz does not answer"));
        assertThat(ready.statusCode()).as("/readyz whatever Redis does: " + ready.body()).isEqualTo(200);
        return JsonLines.parse(ready.body());
    }

    /** Decisions allowed by the limit of this route, over all instances. */
    private static double allowedDecisions(String route) {
        return gateways.stream().mapToDouble(gateway -> scrape(gateway)
                .samples("rampart_rate_limit_decisions_total", "route", route, "decision", "allowed").stream()
                .mapToDouble(MetricsIT.Exposition.Sample::value).sum()).sum();
    }

    /** Decisions made without Redis by this instance, over all routes and modes. */
    private static double fallbacks(RampartProcess gateway) {
        return scrape(gateway).samples("rampart_rate_limit_redis_fallbacks_total").stream()
                .mapToDouble(MetricsIT.Exposition.Sample::value).sum();
    }

    /** While Redis is away, each instance counts a client's places alone, up to its share of the limit. */
    @Test
    @Order(6)
    void whileRedisIsAwayEachInstanceGivesAClientItsShareOfThePlacesInFlight() {
        redis.stop();
        try {
            RampartProcess gateway = gateways.get(0);
            assertThat(gateway.get("/closed/away", "X-Api-Key", BATCH_KEY).statusCode()).isEqualTo(503);
            int before = slowBackend.requests();
            CompletableFuture<HttpResponse<String>> held = sendAsync(gateway, "/in-flight/away-1");
            await().atMost(Duration.ofSeconds(5)).until(() -> slowBackend.requests() >= before + 1);

            // a limit of 2 over 3 instances: 1 each (rounded up, at least 1)
            assertError(gateway.get("/in-flight/away-2", "X-Api-Key", BATCH_KEY), 429,
                    "too_many_concurrent_requests");
            assertThat(gateways.get(1).get("/in-flight/away-3", "X-Api-Key", BATCH_KEY).statusCode())
                    .as("another instance's own share").isEqualTo(200);
            assertThat(held.join().statusCode()).isEqualTo(200);
        } finally {
            redis.restart();
        }
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(RampartProcess gateway, String path) {
        return RampartProcess.httpClient().sendAsync(HttpRequest.newBuilder(gateway.uri(path))
                        .timeout(Duration.ofSeconds(30)).header("X-Api-Key", BATCH_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
