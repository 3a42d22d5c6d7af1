package dev.rampart.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Which route takes a request, and what path, query and endpoint the upstream then sees. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoutingIT {
    private static final Upstreams upstreams = new Upstreams();
    private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private static final List<String> slowRequestHeldBy = new CopyOnWriteArrayList<>();
    private static final List<HttpServerResponse> heldResponses = new CopyOnWriteArrayList<>();
    private static final AtomicLong requestIds = new AtomicLong();
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        String config = """
                service: routing-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  pricing: { endpoints: [ "%s" ] }
                  inventory: { endpoints: [ "%s" ] }
                  offers: { endpoints: [ "%s" ] }
                  tax: { endpoints: [ "%s" ] }
                  payments: { endpoints: [ "%s" ] }
                  pair-round-robin: { endpoints: [ "%s", "%s" ], load-balancer: round-robin }
                  pair-least-request: { endpoints: [ "%s", "%s" ], load-balancer: least-request }
                routes:
                  - id: shop-host
                    match: { host: shop.example.com, prefix: /echo/host }
                    upstream: pricing
                  - id: any-tenant-host
                    match: { host: "*.tenants.example", prefix: /echo/host }
                    upstream: inventory
                  - id: exact
                    match: { path: /echo/exact }
                    upstream: pricing
                  - id: glob
                    match: { path: /echo/glob/*/item }
                    upstream: inventory
                  - id: deep-glob
                    match: { path: /echo/deep/** }
                    upstream: offers
                  - id: writes-only
                    match: { path: /echo/method, methods: [ POST, PUT ] }
                    upstream: tax
                  - id: gold-tenant
                    match: { path: /echo/header, headers: { X-Tenant: gold } }
                    upstream: payments
                  - id: first-of-two
                    match: { prefix: /echo/overlap }
                    upstream: offers
                  - id: second-of-two
                    match: { path: /echo/overlap/x }
                    upstream: tax
                  - id: stripped
                    match: { prefix: /api/ }
                    upstream: pricing
                    strip-prefix: /api
                  - id: rewritten
                    match: { prefix: /legacy/ }
                    upstream: inventory
                    rewrite: { regex: '^/legacy/(\\w+)/(\\d+)$', replacement: '/echo/$2/$1' }
                  - id: round-robin
                    match: { prefix: /rr/ }
                    upstream: pair-round-robin
                  - id: least-request
                    match: { prefix: /lr/ }
                    upstream: pair-least-request
                  - id: echo-fallback
                    match: { prefix: /echo/ }
                    upstream: offers
                """.formatted(
                upstreams.demoUrl("pricing"), upstreams.demoUrl("inventory"), upstreams.demoUrl("offers"),
                upstreams.demoUrl("tax"), upstreams.demoUrl("payments"),
                upstreams.http(named("rr-a")), upstreams.http(named("rr-b")),
                upstreams.http(named("lr-a")), upstreams.http(named("lr-b")));
        gateway = RampartProcess.gateway(config).name("RoutingIT").start();
    }

    @AfterAll
    static void stop() {
        heldResponses.forEach(r -> r.end("released"));
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    /** An upstream that answers with its name, counts its requests, and holds {@code /…/slow} until released. */
    private static Handler<HttpServerRequest> named(String name) {
        return request -> {
            hits.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            if (request.path().endsWith("/slow")) {
                slowRequestHeldBy.add(name);
                heldResponses.add(request.response());
                return;
            }
            request.response().putHeader("content-type", "text/plain").end(name);
        };
    }

    // ---- match rules ---------------------------------------------------------------------------------------------

    @Test
    void hostMatchesExactlyIgnoringCaseAndPort() {
        assertThat(routeOf("GET", "/echo/host", "Host: shop.example.com")).isEqualTo("shop-host");
        assertThat(routeOf("GET", "/echo/host", "Host: SHOP.Example.COM:8080")).isEqualTo("shop-host");
        assertThat(routeOf("GET", "/echo/host", "Host: other.example.com")).isEqualTo("echo-fallback");
    }

    @Test
    void wildcardHostMatchesAnySubdomainButNotTheBareDomain() {
        assertThat(routeOf("GET", "/echo/host", "Host: acme.tenants.example")).isEqualTo("any-tenant-host");
        assertThat(routeOf("GET", "/echo/host", "Host: eu.acme.tenants.example")).isEqualTo("any-tenant-host");
        assertThat(routeOf("GET", "/echo/host", "Host: tenants.example")).isEqualTo("echo-fallback");
    }

    @Test
    void exactPathMatchesOnlyThatPath() {
        assertThat(routeOf("GET", "/echo/exact")).isEqualTo("exact");
        assertThat(routeOf("GET", "/echo/exact/more")).isEqualTo("echo-fallback");
        assertThat(routeOf("GET", "/echo/exactly")).isEqualTo("echo-fallback");
    }

    @Test
    void prefixMatchesEverythingBelowIt() {
        assertThat(routeOf("GET", "/echo/overlap")).isEqualTo("first-of-two");
        assertThat(routeOf("GET", "/echo/overlap/a/b/c")).isEqualTo("first-of-two");
        assertThat(routeOf("GET", "/echo/anything/else")).isEqualTo("echo-fallback");
    }

    @Test
    void singleStarGlobMatchesWithinOneSegmentAndDoubleStarAcrossSegments() {
        assertThat(routeOf("GET", "/echo/glob/42/item")).isEqualTo("glob");
        assertThat(routeOf("GET", "/echo/glob/42/43/item")).isEqualTo("echo-fallback");
        assertThat(routeOf("GET", "/echo/deep/a")).isEqualTo("deep-glob");
        assertThat(routeOf("GET", "/echo/deep/a/b/c")).isEqualTo("deep-glob");
    }

    @Test
    void methodMatchTakesOnlyTheListedMethods() {
        assertThat(routeOf("POST", "/echo/method", "Content-Length: 0")).isEqualTo("writes-only");
        assertThat(routeOf("PUT", "/echo/method", "Content-Length: 0")).isEqualTo("writes-only");
        assertThat(routeOf("GET", "/echo/method")).isEqualTo("echo-fallback");
    }

    @Test
    void headerMatchNeedsTheExactValueWithTheNameInAnyCase() {
        assertThat(routeOf("GET", "/echo/header", "x-tenant: gold")).isEqualTo("gold-tenant");
        assertThat(routeOf("GET", "/echo/header", "X-TENANT: gold")).isEqualTo("gold-tenant");
        assertThat(routeOf("GET", "/echo/header", "X-Tenant: silver")).isEqualTo("echo-fallback");
        assertThat(routeOf("GET", "/echo/header")).isEqualTo("echo-fallback");
    }

    @Test
    void firstMatchingRouteInFileOrderWins() {
        // both first-of-two (prefix /echo/overlap) and second-of-two (exact /echo/overlap/x) match
        assertThat(routeOf("GET", "/echo/overlap/x")).isEqualTo("first-of-two");
    }

    // ---- what the upstream sees ----------------------------------------------------------------------------------

    @Test
    void requestReachesTheUpstreamOfItsRouteWithPathAndQueryUnchanged() {
        RawHttp.Response response = call("GET", "/echo/glob/7/item?a=1&b=two%20words&a=3");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-demo-service")).isEqualTo("inventory");
        JsonNode echo = response.json();
        assertThat(echo.path("path").asText()).isEqualTo("/echo/glob/7/item");
        assertThat(echo.path("uri").asText()).isEqualTo("/echo/glob/7/item?a=1&b=two%20words&a=3");
        assertThat(echo.path("method").asText()).isEqualTo("GET");
    }

    @Test
    void stripPrefixRemovesThePrefixAndKeepsTheQuery() {
        RawHttp.Response response = call("GET", "/api/echo/orders/9?expand=lines");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-demo-service")).isEqualTo("pricing");
        assertThat(response.json().path("uri").asText()).isEqualTo("/echo/orders/9?expand=lines");
    }

    @Test
    void regexRewriteSendsTheReplacementPathWithGroupsFilledIn() {
        RawHttp.Response response = call("GET", "/legacy/orders/123?v=2");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-demo-service")).isEqualTo("inventory");
        assertThat(response.json().path("uri").asText()).isEqualTo("/echo/123/orders?v=2");
    }

    @Test
    void unmatchedRequestGetsJson404RouteNotFoundWithTheRequestId() {
        RawHttp.Response response = call("GET", "/nowhere/at/all", "X-Request-Id: routing-missing-1");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("content-type")).startsWith("application/json");
        assertThat(response.header("x-request-id")).isEqualTo("routing-missing-1");
        JsonNode error = response.json().path("error");
        assertThat(error.path("code").asText()).isEqualTo("route_not_found");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("request_id").asText()).isEqualTo("routing-missing-1");
        assertThat(gateway.awaitAccessLog("routing-missing-1").path("error_code").asText())
                .isEqualTo("route_not_found");
    }

    // ---- load balancing ------------------------------------------------------------------------------------------

    @Test
    void roundRobinSpreadsRequestsEvenlyOverTwoEndpoints() {
        int before = hitsOf("rr-a") + hitsOf("rr-b");
        assertThat(before).isZero();
        List<String> answeredBy = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> response = gateway.get("/rr/item");
            assertThat(response.statusCode()).isEqualTo(200);
            answeredBy.add(response.body());
        }
        assertThat(hitsOf("rr-a")).isEqualTo(50);
        assertThat(hitsOf("rr-b")).isEqualTo(50);
        for (int i = 1; i < answeredBy.size(); i++) {
            assertThat(answeredBy.get(i)).as("request %d", i).isNotEqualTo(answeredBy.get(i - 1));
        }
    }

    @Test
    void leastRequestAvoidsTheEndpointStuckOnASlowRequest() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = RampartProcess.httpClient().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/lr/slow")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !slowRequestHeldBy.isEmpty());
        String stuck = slowRequestHeldBy.get(0);
        String free = stuck.equals("lr-a") ? "lr-b" : "lr-a";

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = gateway.get("/lr/fast");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).as("request %d while %s is busy", i, stuck).isEqualTo(free);
        }

        heldResponses.forEach(r -> r.end(stuck));
        heldResponses.clear();
        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static int hitsOf(String upstream) {
        AtomicInteger count = hits.get(upstream);
        return count == null ? 0 : count.get();
    }

    /** The id of the route the gateway chose, from the access-log line of the request. */
    private static String routeOf(String method, String target, String... headers) {
        String requestId = "routing-" + requestIds.incrementAndGet();
        List<String> all = new ArrayList<>(List.of(headers));
        all.add("X-Request-Id: " + requestId);
        RawHttp.Response response = call(method, target, all.toArray(String[]::new));
        assertThat(response.status()).as("%s %s %s", method, target, response).isEqualTo(200);
        JsonNode line = gateway.awaitAccessLog(requestId);
        assertThat(JsonLines.isAccessLine(line)).isTrue();
        return line.path("route").asText();
    }

    /** One request on a fresh connection; {@code Host: gateway.test} unless a Host header is given. */
    private static RawHttp.Response call(String method, String target, String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (all.stream().noneMatch(h -> h.regionMatches(true, 0, "host:", 0, 5))) {
            all.add(0, "Host: gateway.test");
        }
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            return connection.send(RawHttp.request(method, target, all.toArray(String[]::new))).readResponse();
        }
    }
}
