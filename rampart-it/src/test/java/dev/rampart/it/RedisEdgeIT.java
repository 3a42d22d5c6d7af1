package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.RedisServer;
import dev.rampart.it.support.Upstreams;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The cache and idempotency keys shared by two gateway instances through a real Redis (started by this test on a
 * port of its own): what one instance stores the other uses, a client retrying a payment through timeouts and a
 * gateway restart causes one upstream side effect, and stopping Redis mid-run fails no request.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisEdgeIT {
    private static final String CONFIG = """
            service: redis-edge-it
            listen: { host: 127.0.0.1, port: ${listen.port}, drain-timeout: 10s }
            admin: { port: ${admin.port} }
            metrics: { enabled: true }
            # generous: two JVMs on two cores; a late call falls back to the local stores (tested last)
            state: { redis: { url: "REDIS_URL", timeout: 250ms, key-prefix: "edge-it:" } }
            upstreams:
              backend: { endpoints: [ "BACKEND" ], circuit-breaker: { enabled: false }, outlier-detection: { enabled: false } }
            routes:
              - id: prices
                match: { prefix: /prices/, methods: [GET, HEAD] }
                upstream: backend
                cache: { ttl: 60s, store: redis }
              - id: payments
                match: { prefix: /payments, methods: [POST] }
                upstream: backend
                timeouts: { total: 600ms }
                retries: { attempts: 1 }
                idempotency: { required: true }
                side-effects: true
            """;

    private static final Upstreams upstreams = new Upstreams();
    private static RedisServer redis;
    private static String config;
    /** Upstream requests per path. */
    private static final ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** How long the upstream takes to answer a payment, in ms. */
    private static final AtomicLong paymentDelayMillis = new AtomicLong();
    private static final List<RampartProcess> gateways = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startRedisAndGateways() {
        assumeThat(RedisServer.executable())
                .as("RedisEdgeIT needs a redis-server on the PATH or in /usr/bin; none found, so it is skipped")
                .isPresent();
        redis = RedisServer.start();
        String backend = upstreams.http(RedisEdgeIT::backend);
        config = CONFIG.replace("REDIS_URL", redis.url()).replace("BACKEND", backend);
        CompletableFuture<RampartProcess> a = CompletableFuture.supplyAsync(() -> start("RedisEdgeIT-a"));
        CompletableFuture<RampartProcess> b = CompletableFuture.supplyAsync(() -> start("RedisEdgeIT-b"));
        gateways.add(a.join());
        gateways.add(b.join());
    }

    private static RampartProcess start(String name) {
        return RampartProcess.gateway(config).name(name).start();
    }

    /** Prices answer their path; payments answer after the configured delay with a new payment id. */
    private static void backend(HttpServerRequest request) {
        int count = calls.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
        request.body().onSuccess(body -> {
            if (request.method() == HttpMethod.POST) {
                long delay = paymentDelayMillis.get();
                Runnable answer = () -> {
                    if (!request.response().closed()) {
                        request.response().setStatusCode(201).putHeader("content-type", "application/json")
                                .end("{\"payment\":\"" + request.path() + "#" + count + "\"}");
                    }
                };
                if (delay > 0) {
                    upstreams.vertx().setTimer(delay, t -> answer.run());
                } else {
                    answer.run();
                }
            } else {
                Runnable answer = () -> request.response().putHeader("content-type", "text/plain")
                        .putHeader("etag", "\"v1\"").end("price of " + request.path());
                if (request.path().startsWith("/prices/slow")) {
                    upstreams.vertx().setTimer(400, t -> answer.run()); // long enough for a stampede to pile up
                } else {
                    answer.run();
                }
            }
        });
    }

    /**
     * Every test here is about state shared through Redis: it starts once each instance uses Redis again. A burst in
     * the test before (the stampede) can time a call out on a busy box, and an instance then decides locally until
     * its next probe, up to a second later.
     */
    @BeforeEach
    void redisIsUpOnEveryInstance() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> gateways.stream().allMatch(g -> readiness(g).path("redis").path("status").asText()
                        .equals("up")));
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
    void aResponseCachedThroughOneInstanceIsAHitOnTheOther() {
        RawHttp.Response first = price(gateways.get(0), "/prices/1");
        awaitStoredInRedis("/prices/1"); // stored after the answer went out: not before the client may ask again
        RawHttp.Response second = price(gateways.get(1), "/prices/1");

        assertThat(first.header("x-cache")).isEqualTo("MISS");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("x-cache")).as("the second instance, from Redis").isEqualTo("HIT");
        assertThat(second.bodyText()).isEqualTo(first.bodyText()).isEqualTo("price of /prices/1");
        assertThat(calls.get("/prices/1").get()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aPurgeThroughOneInstanceDropsTheSharedEntry() {
        price(gateways.get(0), "/prices/2");
        awaitStoredInRedis("/prices/2");
        assertThat(price(gateways.get(1), "/prices/2").header("x-cache")).isEqualTo("HIT");

        HttpResponse<String> purged = RampartProcess.send(HttpRequest.newBuilder(
                gateways.get(1).adminUri("/api/v1/cache?route=prices&key=/prices/2")).DELETE().build());

        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(JsonLines.parse(purged.body()).path("purged").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(price(gateways.get(0), "/prices/2").header("x-cache")).isEqualTo("MISS");
        assertThat(calls.get("/prices/2").get()).isEqualTo(2);
    }

    @Test
    @Order(3)
    void aStampedeOnARedisBackedRouteCausesOneUpstreamRequest() {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(RampartProcess.httpClient().sendAsync(HttpRequest.newBuilder(
                    gateways.get(0).uri("/prices/slow-1")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }

        List<HttpResponse<String>> done = answers.stream().map(CompletableFuture::join).toList();

        assertThat(done).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("price of /prices/slow-1");
        });
        assertThat(calls.get("/prices/slow-1").get()).as("upstream requests").isEqualTo(1);
    }

    @Test
    @Order(4)
    void twoInstancesAgreeOnAnIdempotencyKey() {
        HttpResponse<String> first = post(gateways.get(0), "/payments/agree", "key-agree", "{\"amount\":1}");
        HttpResponse<String> repeat = post(gateways.get(1), "/payments/agree", "key-agree", "{\"amount\":1}");
        HttpResponse<String> otherBody = post(gateways.get(1), "/payments/agree", "key-agree", "{\"amount\":2}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(repeat.statusCode()).isEqualTo(201);
        assertThat(repeat.body()).isEqualTo(first.body());
        assertThat(repeat.headers().firstValue("idempotent-replayed")).contains("true");
        assertThat(otherBody.statusCode()).isEqualTo(422);
        assertThat(calls.get("/payments/agree").get()).as("upstream side effects").isEqualTo(1);
    }

    @Test
    @Order(5)
    void aClientRetryingThroughTimeoutsAndAGatewayRestartCausesOneSideEffect() {
        paymentDelayMillis.set(2_000); // longer than the route's 600 ms total: every client call times out
        RampartProcess a = gateways.get(0);
        RampartProcess b = gateways.get(1);
        try {
            HttpResponse<String> timedOut = post(a, "/payments/restart", "key-restart", "{\"amount\":7}");
            assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(504);

            // the client retries on the other instance while the upstream is still working on the first request
            HttpResponse<String> whileInFlight = post(b, "/payments/restart", "key-restart", "{\"amount\":7}");
            assertThat(whileInFlight.statusCode()).as(whileInFlight.body()).isEqualTo(409);
            assertThat(whileInFlight.headers().firstValue("retry-after")).isPresent();

            // and the first instance restarts meanwhile: its graceful stop waits for the upstream's answer
            a.sendSignal("TERM");
            assertThat(a.waitFor(Duration.ofSeconds(15))).isZero();
            RampartProcess restarted = start("RedisEdgeIT-a2");
            gateways.set(0, restarted);

            HttpResponse<String> retried = post(restarted, "/payments/restart", "key-restart", "{\"amount\":7}");
            assertThat(retried.statusCode()).as(retried.body()).isEqualTo(201);
            assertThat(retried.headers().firstValue("idempotent-replayed")).contains("true");
            assertThat(retried.body()).isEqualTo("{\"payment\":\"/payments/restart#1\"}");
            assertThat(post(b, "/payments/restart", "key-restart", "{\"amount\":7}").body())
                    .isEqualTo(retried.body());
            assertThat(calls.get("/payments/restart").get()).as("upstream side effects").isEqualTo(1);
        } finally {
            paymentDelayMillis.set(0);
        }
    }

    @Test
    @Order(6)
    void aPauseOnOneInstanceHoldsOnEveryInstanceAndOutlivesARestartUntilResumed() {
        HttpResponse<String> paused = RampartProcess.send(HttpRequest.newBuilder(
                        gateways.get(0).adminUri("/api/v1/side-effects/pause"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"alice\",\"reason\":\"drill\"}")).build());
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> post(gateways.get(1), "/payments/paused", "key-paused-1", "{}").statusCode(), s -> s == 503);
        RampartProcess late = start("RedisEdgeIT-c");
        try {
            HttpResponse<String> fromNewInstance = post(late, "/payments/while-paused", "key-paused-2", "{}");
            HttpResponse<String> fromFirst = post(gateways.get(1), "/payments/while-paused", "key-paused-3", "{}");
            assertThat(fromNewInstance.statusCode()).as("a new instance starts paused: " + fromNewInstance.body())
                    .isEqualTo(503);
            assertThat(fromFirst.statusCode()).isEqualTo(503);
            assertThat(calls.get("/payments/while-paused")).as("no paused request reached the upstream").isNull();

            HttpResponse<String> resumed = RampartProcess.send(HttpRequest.newBuilder(
                            late.adminUri("/api/v1/side-effects/resume"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"bob\",\"reason\":\"done\"}")).build());
            assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> post(gateways.get(0), "/payments/resumed", "key-resumed-" + System.nanoTime(), "{}")
                            .statusCode(), s -> s == 201);
            gateways.get(0).awaitStdout(line -> line.contains("changed by another instance"), Duration.ofSeconds(5));
        } finally {
            late.close();
            // whatever happened above, the next test needs payments running
            RampartProcess.send(HttpRequest.newBuilder(gateways.get(1).adminUri("/api/v1/side-effects/resume"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"test\",\"reason\":\"cleanup\"}")).build());
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> gateways.stream()
                    .allMatch(g -> post(g, "/payments/cleanup", "key-cleanup-" + System.nanoTime(), "{}")
                            .statusCode() == 201));
        }
    }

    @Test
    @Order(7)
    void redisStoppedMidRunFailsNoRequestAndIsUsedAgainOnceBack() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.add(CompletableFuture.runAsync(() -> {
                int i = 0;
                while (System.nanoTime() < until) {
                    RampartProcess gateway = gateways.get((client + i) % 2);
                    HttpResponse<String> answer = i % 2 == 0
                            ? gateway.get("/prices/outage-" + (i % 7))
                            : post(gateway, "/payments/outage", "key-outage-" + client + "-" + i, "{\"n\":" + i + "}");
                    sent.incrementAndGet();
                    if (answer.statusCode() >= 300) {
                        failures.add(answer.statusCode() + " " + answer.body());
                    }
                    i++;
                }
            }));
        }
        Thread.sleep(1_500);
        redis.stop();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> readiness(gateways.get(0)).path("redis").path("status").asText(), "down"::equals);
        JsonNode down = readiness(gateways.get(0)).path("redis");
        HttpResponse<String> purgeWhileDown = RampartProcess.send(HttpRequest.newBuilder(
                gateways.get(0).adminUri("/api/v1/cache?route=prices&prefix=/prices/outage-")).DELETE().build());
        Thread.sleep(1_500);
        redis.restart();
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(failures).as("answers other than 2xx out of %d requests", sent.get()).isEmpty();
        assertThat(sent.get()).isGreaterThan(20);
        assertThat(purgeWhileDown.statusCode()).as(purgeWhileDown.body()).isEqualTo(503);
        assertThat(JsonLines.parse(purgeWhileDown.body()).path("error").path("code").asText())
                .isEqualTo("purge_incomplete");
        assertThat(down.path("cache").asText()).contains("local");
        assertThat(down.path("idempotency_keys").asText()).contains("local");
        for (RampartProcess gateway : gateways) {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> readiness(gateway).path("redis").path("status").asText(), "up"::equals);
        }
        price(gateways.get(0), "/prices/after-outage");
        awaitStoredInRedis("/prices/after-outage");
        assertThat(price(gateways.get(1), "/prices/after-outage").header("x-cache"))
                .as("shared through Redis again").isEqualTo("HIT");
    }

    /**
     * A GET as a load balancer in front of both instances sends it: with the public host, which is part of the
     * cache key (each instance listens on a port of its own here).
     */
    private static RawHttp.Response price(RampartProcess gateway, String path) {
        try (RawHttp http = RawHttp.connect(gateway.port())) {
            return http.send(RawHttp.request("GET", path, "Host: shop.example", "Connection: close")).readResponse();
        }
    }

    private static void awaitStoredInRedis(String path) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> redis.keys("edge-it:cache:e:prices " + path + " * shop.example *"), keys -> !keys.isEmpty());
    }

    private static HttpResponse<String> post(RampartProcess gateway, String path, String key, String body) {
        return RampartProcess.send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("idempotency-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static JsonNode readiness(RampartProcess gateway) {
        HttpResponse<String> ready = gateway.readyz().orElseThrow(() -> new AssertionError("/readyz does not answer"));
        return JsonLines.parse(ready.body());
    }
}
