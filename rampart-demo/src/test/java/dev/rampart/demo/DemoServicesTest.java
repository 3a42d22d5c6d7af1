package dev.rampart.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Drives the five services over real HTTP, the way the gateway and the integration tests use them. */
class DemoServicesTest {

    private static final long TIMEOUT_SECONDS = 20;
    private static final Function<HttpClientRequest, Future<Buffer>> NO_BODY = request -> Future.succeededFuture();

    private static Vertx vertx;
    private static DemoServices services;
    private static HttpClient client;
    /** Where every client call is made, so that handlers are set on the event loop before any byte can arrive. */
    private static Context clientContext;

    /** An answer, read whole (only small ones are read this way). */
    record Answer(int status, MultiMap headers, Buffer body) {
        JsonObject json() {
            return body.toJsonObject();
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    @BeforeAll
    static void startServices() throws Exception {
        vertx = Vertx.vertx();
        services = DemoServices.start(vertx, "127.0.0.1", 0).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(16));
        clientContext = vertx.getOrCreateContext();
    }

    @AfterAll
    static void stopServices() throws Exception {
        services.stop().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        vertx.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @AfterEach
    void clearServiceKnobs() throws Exception {
        for (String service : DemoServices.NAMES) {
            assertThat(call(service, HttpMethod.DELETE, "/_demo/knobs").status()).isEqualTo(200);
        }
    }

    // --- the services' own endpoints ---

    @Test
    void pricingAnswersTheSamePriceInEuroCentsEveryTimeForASku() throws Exception {
        Answer first = call("pricing", HttpMethod.GET, "/prices/42");
        Answer again = call("pricing", HttpMethod.GET, "/prices/42");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Type")).isEqualTo("application/json");
        assertThat(first.header("X-Demo-Service")).isEqualTo("pricing");
        assertThat(first.json().fieldNames()).containsExactlyInAnyOrder("sku", "currency", "amount_cents");
        assertThat(first.json().getString("sku")).isEqualTo("42");
        assertThat(first.json().getString("currency")).isEqualTo("EUR");
        assertThat(first.json().getLong("amount_cents")).isBetween(499L, 19_999L);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(call("pricing", HttpMethod.GET, "/prices/43").json().getString("sku")).isEqualTo("43");
    }

    @Test
    void headOnAGetEndpointAnswersHeadersOnly() throws Exception {
        Answer head = call("pricing", HttpMethod.HEAD, "/prices/42");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body().length()).isZero();
    }

    @Test
    void inventoryAnswersAStockLevelThatIsTheSameEveryTimeForASku() throws Exception {
        Answer answer = call("inventory", HttpMethod.GET, "/inventory/42");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("X-Demo-Service")).isEqualTo("inventory");
        JsonObject stock = answer.json();
        assertThat(stock.getString("sku")).isEqualTo("42");
        assertThat(stock.getInteger("available")).isBetween(0, 49);
        assertThat(stock.getString("status")).isIn("in_stock", "low_stock", "out_of_stock");
        assertThat(call("inventory", HttpMethod.GET, "/inventory/42").json()).isEqualTo(stock);
    }

    @Test
    void offersListsTheOffersOnTheSkuInTheQuery() throws Exception {
        Answer answer = call("offers", HttpMethod.GET, "/offers?sku=42");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().getString("sku")).isEqualTo("42");
        assertThat(answer.json().getJsonArray("offers").size()).isBetween(0, 3);
        assertThat(call("offers", HttpMethod.GET, "/offers?sku=42").json()).isEqualTo(answer.json());
    }

    @Test
    void offersWithoutASkuIsA400SayingWhatIsMissing() throws Exception {
        Answer answer = call("offers", HttpMethod.GET, "/offers");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().getString("code")).isEqualTo("bad_request");
        assertThat(answer.json().getString("message")).startsWith("sku: (missing) (expected:");
    }

    @Test
    void taxAnswersTheRateOfACountryAndA404ForAnUnknownOne() throws Exception {
        Answer germany = call("tax", HttpMethod.GET, "/tax/de");
        Answer atlantis = call("tax", HttpMethod.GET, "/tax/XA");

        assertThat(germany.status()).isEqualTo(200);
        assertThat(germany.json().getString("country")).isEqualTo("DE");
        assertThat(germany.json().getDouble("rate")).isEqualTo(0.19);
        assertThat(germany.json().getInteger("rate_basis_points")).isEqualTo(1900);
        assertThat(atlantis.status()).isEqualTo(404);
        assertThat(atlantis.json().getString("code")).isEqualTo("unknown_country");
    }

    @Test
    void paymentsAnswers201WithAPaymentIdAndEchoesTheIdempotencyKey() throws Exception {
        JsonObject order = new JsonObject().put("amount_cents", 1999).put("currency", "EUR").put("order_id", "o-1");

        Answer created = callWithJson("payments", HttpMethod.POST, "/payments", order, "key-1");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Idempotency-Key")).isEqualTo("key-1");
        String id = created.json().getString("payment_id");
        assertThat(id).startsWith("pay_");
        assertThat(created.json().getLong("amount_cents")).isEqualTo(1999);
        assertThat(created.json().getString("idempotency_key")).isEqualTo("key-1");
        assertThat(created.header("Location")).isEqualTo("/payments/" + id);
        assertThat(call("payments", HttpMethod.GET, "/payments/" + id).json()).isEqualTo(created.json());
    }

    @Test
    void aPaymentRetriedWithTheSameIdempotencyKeyIsNotChargedTwice() throws Exception {
        JsonObject order = new JsonObject().put("amount_cents", 500);

        Answer first = callWithJson("payments", HttpMethod.POST, "/payments", order, "retry-me");
        Answer retry = callWithJson("payments", HttpMethod.POST, "/payments", order, "retry-me");
        Answer other = callWithJson("payments", HttpMethod.POST, "/payments", order, null);
        Answer misuse = callWithJson("payments", HttpMethod.POST, "/payments", order.copy().put("amount_cents", 501),
                "retry-me");

        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(other.json().getString("payment_id")).isNotEqualTo(first.json().getString("payment_id"));
        assertThat(misuse.status()).isEqualTo(422);
        assertThat(misuse.json().getString("code")).isEqualTo("idempotency_key_reused");
    }

    @Test
    void aPaymentWithoutAnAmountIsA400NamingTheField() throws Exception {
        Answer answer = callWithJson("payments", HttpMethod.POST, "/payments", new JsonObject().put("currency", "EUR"),
                null);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().getString("message")).startsWith("amount_cents: (missing) (expected:");
    }

    @Test
    void everyServiceAnswersHealthzAndNamesItselfInAHeader() throws Exception {
        for (String service : DemoServices.NAMES) {
            Answer answer = call(service, HttpMethod.GET, "/healthz");

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("X-Demo-Service")).isEqualTo(service);
            assertThat(answer.json().getString("status")).isEqualTo("ok");
        }
    }

    @Test
    void anUnknownPathIsAJson404ListingThePathsThatExist() throws Exception {
        Answer answer = call("tax", HttpMethod.GET, "/nope?x=1");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.header("X-Demo-Service")).isEqualTo("tax");
        assertThat(answer.json().getString("code")).isEqualTo("not_found");
        assertThat(answer.json().getString("message")).startsWith("path: /nope (expected: one of /tax/{country}");
    }

    @Test
    void aKnownPathWithTheWrongMethodIsA405WithAllow() throws Exception {
        Answer answer = call("pricing", HttpMethod.DELETE, "/prices/42");

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.header("Allow")).isEqualTo("GET, HEAD");
        assertThat(answer.json().getString("code")).isEqualTo("method_not_allowed");
    }

    @Test
    void theServicesListenOnDistinctPortsInNameOrder() {
        assertThat(services.ports()).containsOnlyKeys(DemoServices.NAMES);
        assertThat(List.copyOf(services.ports().keySet())).isEqualTo(DemoServices.NAMES);
        assertThat(services.ports().values()).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isPositive());
        assertThat(services.port("tax")).isEqualTo(services.ports().get("tax"));
        assertThatThrownBy(() -> services.port("shipping"))
                .hasMessage("service: shipping (expected: one of pricing, inventory, offers, tax, payments)");
    }

    @Test
    void aBasePortWhoseFivePortsWouldNotFitIsRefused() {
        assertThatThrownBy(() -> DemoServices.start(vertx, "127.0.0.1", 65532))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("basePort: 65532 (expected:");
    }

    @Test
    void aFixedBasePortPutsTheServicesOnConsecutivePortsAndStopClosesThem() throws Exception {
        DemoServices fixed = startOnSomeFixedBasePort();
        int base = fixed.port("pricing");
        try {
            assertThat(fixed.ports().values()).containsExactly(base, base + 1, base + 2, base + 3, base + 4);
            assertThat(send(fixed.port("payments"), HttpMethod.GET, "/healthz", NO_BODY, 0).status()).isEqualTo(200);
        } finally {
            fixed.stop().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> send(fixed.port("payments"), HttpMethod.GET, "/healthz", NO_BODY, 0))
                .satisfies(e -> assertThat(e.getMessage())
                        .containsAnyOf("Connection refused", "Connection was closed"));
    }

    @Test
    void whenOnePortIsTakenStartFailsWithTheCause() throws Exception {
        HttpServer blocker = vertx.createHttpServer().requestHandler(r -> r.response().end())
                .listen(0, "127.0.0.1").await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try {
            int base = blocker.actualPort() - 2; // offers would go on the taken port

            assertThatThrownBy(() -> DemoServices.start(vertx, "127.0.0.1", base).await(TIMEOUT_SECONDS,
                    TimeUnit.SECONDS))
                    .hasMessageContaining("in use");
        } finally {
            blocker.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Five consecutive free ports are found by trying: another process may take one at any moment. */
    private static DemoServices startOnSomeFixedBasePort() throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            HttpServer probe = vertx.createHttpServer().requestHandler(r -> r.response().end())
                    .listen(0, "127.0.0.1").await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            int base = Math.min(probe.actualPort(), 65531);
            probe.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            try {
                return DemoServices.start(vertx, "127.0.0.1", base).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
            }
        }
        throw last;
    }

    // --- knobs ---

    @Test
    void latencyInTheQueryDelaysTheAnswer() throws Exception {
        long start = System.nanoTime();
        Answer answer = call("pricing", HttpMethod.GET, "/prices/42?latency=300ms");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(tookMillis).isGreaterThanOrEqualTo(300);
    }

    @Test
    void latencyPutOnAServiceDelaysEveryRequestUntilDeleted() throws Exception {
        putKnobs("tax", new JsonObject().put("latency", "250ms..300ms"));

        long start = System.nanoTime();
        call("tax", HttpMethod.GET, "/tax/FR");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);

        call("tax", HttpMethod.DELETE, "/_demo/knobs");
        start = System.nanoTime();
        call("tax", HttpMethod.GET, "/tax/FR");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(250);
    }

    @Test
    void knobsPutOnAServiceAreShownAndApplyToEveryPathButTheKnobsThemselves() throws Exception {
        Answer put = putKnobs("inventory", new JsonObject().put("status", 503).put("latency", "10ms"));

        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().getJsonObject("knobs"))
                .isEqualTo(new JsonObject().put("latency", "10ms").put("status", 503));
        assertThat(call("inventory", HttpMethod.GET, "/_demo/knobs").json().getJsonObject("knobs"))
                .isEqualTo(put.json().getJsonObject("knobs"));
        Answer forced = call("inventory", HttpMethod.GET, "/inventory/42");
        assertThat(forced.status()).isEqualTo(503);
        assertThat(forced.json().getString("code")).isEqualTo("forced_status");
        assertThat(call("inventory", HttpMethod.GET, "/healthz").status()).isEqualTo(503);
        assertThat(call("pricing", HttpMethod.GET, "/healthz").status()).isEqualTo(200); // other services unaffected

        Answer deleted = call("inventory", HttpMethod.DELETE, "/_demo/knobs");
        assertThat(deleted.json().getJsonObject("knobs")).isEqualTo(new JsonObject());
        assertThat(call("inventory", HttpMethod.GET, "/inventory/42").status()).isEqualTo(200);
    }

    @Test
    void aQueryKnobOverridesTheServiceKnobForThatRequest() throws Exception {
        putKnobs("offers", new JsonObject().put("hang", true));

        assertThat(call("offers", HttpMethod.GET, "/offers?sku=1&hang=false").status()).isEqualTo(200);
    }

    @Test
    void hangAcceptsTheRequestAndNeverAnswers() {
        assertThatThrownBy(() -> send(services.port("pricing"), HttpMethod.GET, "/prices/42?hang=true",
                NO_BODY, 700))
                .hasMessageContaining("timeout");
    }

    @Test
    void resetDropsTheConnectionSoTheClientFails() {
        assertThatThrownBy(() -> call("payments", HttpMethod.GET, "/healthz?reset=true"))
                .satisfies(e -> assertThat(e.toString()).containsAnyOf("reset", "closed"));
    }

    @Test
    void resetPutOnAServiceStillLeavesTheKnobsReachable() throws Exception {
        putKnobs("pricing", new JsonObject().put("reset", true));

        assertThatThrownBy(() -> call("pricing", HttpMethod.GET, "/prices/1"));
        assertThat(call("pricing", HttpMethod.GET, "/_demo/knobs").status()).isEqualTo(200);
    }

    @Test
    void errorEveryFailsExactlyEveryNthRequestWith500() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(call("inventory", HttpMethod.GET, "/inventory/7?error-every=3").status());
        }

        assertThat(statuses).containsExactly(200, 200, 500, 200, 200, 500);
        Answer failed = call("inventory", HttpMethod.GET, "/inventory/7?error-every=1");
        assertThat(failed.json().getString("code")).isEqualTo("injected_error");
        assertThat(failed.header("X-Demo-Service")).isEqualTo("inventory");
    }

    @Test
    void errorRateOneFailsEveryRequestAndZeroNone() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(call("tax", HttpMethod.GET, "/tax/DE?error-rate=1").status()).isEqualTo(500);
            assertThat(call("tax", HttpMethod.GET, "/tax/DE?error-rate=0").status()).isEqualTo(200);
        }
    }

    @Test
    void badKnobValuesAreA400NamingTheKnobAndValue() throws Exception {
        Answer query = call("pricing", HttpMethod.GET, "/prices/42?latency=soon");
        Answer body = putKnobs("pricing", new JsonObject().put("error-rate", 2));
        Answer unknown = putKnobs("pricing", new JsonObject().put("slow", true));

        assertThat(query.status()).isEqualTo(400);
        assertThat(query.json().getString("message")).startsWith("latency: soon (expected:");
        assertThat(body.status()).isEqualTo(400);
        assertThat(body.json().getString("message")).startsWith("error-rate: 2 (expected:");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().getString("message")).startsWith("slow: true (expected: a knob name");
        assertThat(call("pricing", HttpMethod.GET, "/_demo/knobs").json().getJsonObject("knobs")).isEmpty();
    }

    @Test
    void healthzIs503WhileTheServiceIsToldItIsUnhealthyAndOtherPathsStillWork() throws Exception {
        putKnobs("offers", new JsonObject().put("healthy", false));

        Answer unhealthy = call("offers", HttpMethod.GET, "/healthz");
        assertThat(unhealthy.status()).isEqualTo(503);
        assertThat(unhealthy.json().getString("status")).isEqualTo("unhealthy");
        assertThat(unhealthy.header("Retry-After")).isNull();
        assertThat(call("offers", HttpMethod.GET, "/offers?sku=1").status()).isEqualTo(200);
        assertThat(call("pricing", HttpMethod.GET, "/healthz").status()).isEqualTo(200);
        assertThat(call("offers", HttpMethod.GET, "/healthz?healthy=true").status()).isEqualTo(200);

        call("offers", HttpMethod.DELETE, "/_demo/knobs");
        assertThat(call("offers", HttpMethod.GET, "/healthz").json().getString("status")).isEqualTo("ok");
    }

    @Test
    void anOverloadedServiceMarksEvery503AsOverloadAndNothingElse() throws Exception {
        putKnobs("tax", new JsonObject().put("overloaded", true));

        Answer forced = call("tax", HttpMethod.GET, "/tax/DE?status=503");
        Answer injected = call("tax", HttpMethod.GET, "/tax/DE?error-every=1&error-status=503");
        Answer health = call("tax", HttpMethod.GET, "/healthz?healthy=false");
        Answer other = call("tax", HttpMethod.GET, "/tax/DE?status=500");
        Answer fine = call("tax", HttpMethod.GET, "/tax/DE");

        for (Answer overloaded : List.of(forced, injected, health)) {
            assertThat(overloaded.status()).isEqualTo(503);
            assertThat(overloaded.header("Retry-After")).isEqualTo("1");
            assertThat(overloaded.header("x-rampart-overloaded")).isEqualTo("true");
        }
        for (Answer notOverloaded : List.of(other, fine)) {
            assertThat(notOverloaded.header("Retry-After")).isNull();
            assertThat(notOverloaded.header("x-rampart-overloaded")).isNull();
        }
        Answer withoutTheKnob = call("pricing", HttpMethod.GET, "/prices/1?status=503");
        assertThat(withoutTheKnob.header("x-rampart-overloaded")).isNull();
    }

    @Test
    void errorStatusChangesTheStatusOfInjectedErrors() throws Exception {
        Answer answer = call("inventory", HttpMethod.GET, "/inventory/7?error-rate=100%25&error-status=503");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().getString("code")).isEqualTo("injected_error");
        assertThat(answer.header("Retry-After")).isNull();
    }

    @Test
    void hangRateOfOneNeverAnswers() {
        assertThatThrownBy(() -> send(services.port("pricing"), HttpMethod.GET, "/prices/42?hang-rate=1",
                NO_BODY, 700))
                .hasMessageContaining("timeout");
    }

    @Test
    void resetRateOfOneDropsTheConnection() {
        assertThatThrownBy(() -> call("payments", HttpMethod.GET, "/payments/x?reset-rate=1"))
                .satisfies(e -> assertThat(e.toString()).containsAnyOf("reset", "closed"));
    }

    @Test
    void statsCountRequestsAndOutcomesButNotHealthChecksOrControlCalls() throws Exception {
        call("inventory", HttpMethod.POST, "/_demo/stats/reset");

        call("inventory", HttpMethod.GET, "/inventory/1");
        call("inventory", HttpMethod.GET, "/inventory/1?status=503");
        call("inventory", HttpMethod.GET, "/nope");
        call("inventory", HttpMethod.GET, "/inventory/1?error-rate=1");
        call("inventory", HttpMethod.GET, "/inventory/1?latency=soon");
        call("inventory", HttpMethod.GET, "/healthz");
        call("inventory", HttpMethod.GET, "/_demo/knobs");
        Answer stats = call("inventory", HttpMethod.GET, "/_demo/stats");

        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.json().getString("service")).isEqualTo("inventory");
        assertThat(stats.json().getLong("requests")).isEqualTo(5);
        JsonObject outcomes = stats.json().getJsonObject("outcomes");
        assertThat(outcomes.getLong("ok")).isEqualTo(2); // the 404 was answered normally
        assertThat(outcomes.getLong("forced_status")).isEqualTo(1);
        assertThat(outcomes.getLong("injected_error")).isEqualTo(1);
        assertThat(outcomes.getLong("hang")).isZero();
    }

    @Test
    void resettingTheStatsAnswersTheCountsClearedAndStartsFromZero() throws Exception {
        call("tax", HttpMethod.POST, "/_demo/stats/reset");
        call("tax", HttpMethod.GET, "/tax/DE");
        call("tax", HttpMethod.GET, "/tax/FR");

        Answer cleared = call("tax", HttpMethod.POST, "/_demo/stats/reset");

        assertThat(cleared.json().getLong("requests")).isEqualTo(2);
        assertThat(call("tax", HttpMethod.GET, "/_demo/stats").json().getLong("requests")).isZero();
    }

    @Test
    void knobsNeverApplyToTheControlPaths() throws Exception {
        putKnobs("payments", new JsonObject().put("hang", true).put("status", 500));

        assertThat(call("payments", HttpMethod.GET, "/_demo/stats").status()).isEqualTo(200);
        assertThat(call("payments", HttpMethod.POST, "/_demo/stats/reset").status()).isEqualTo(200);
        assertThat(call("payments", HttpMethod.GET, "/_demo/knobs").status()).isEqualTo(200);
    }

    @Test
    void aWrongMethodOrAnUnknownControlPathSaysWhatExists() throws Exception {
        Answer wrongMethod = call("pricing", HttpMethod.POST, "/_demo/stats");
        Answer resetByGet = call("pricing", HttpMethod.GET, "/_demo/stats/reset");
        Answer unknown = call("pricing", HttpMethod.GET, "/_demo/nope");

        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).isEqualTo("GET, HEAD");
        assertThat(resetByGet.status()).isEqualTo(405);
        assertThat(resetByGet.header("Allow")).isEqualTo("POST");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getString("message"))
                .isEqualTo("path: /_demo/nope (expected: one of /_demo/knobs, /_demo/stats, /_demo/stats/reset)");
    }

    // --- echo and bytes ---

    @Test
    void echoShowsTheRequestAsItArrivedAndCountsAStreamedFiveMebibyteBody() throws Exception {
        int chunks = 80;
        Answer answer = send(services.port("offers"), HttpMethod.PUT, "/echo/a/b?x=1&y=2", request -> {
            request.setChunked(true).headers().add("X-Test", "yes").add("X-Test", "again");
            return writeChunks(request, chunks, 64 * 1024);
        }, 0);

        JsonObject echo = answer.json();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(echo.getString("service")).isEqualTo("offers");
        assertThat(echo.getString("method")).isEqualTo("PUT");
        assertThat(echo.getString("path")).isEqualTo("/echo/a/b");
        assertThat(echo.getString("query")).isEqualTo("x=1&y=2");
        assertThat(echo.getString("uri")).isEqualTo("/echo/a/b?x=1&y=2");
        assertThat(echo.getJsonObject("headers").getString("x-test")).isEqualTo("yes, again");
        assertThat(echo.getJsonObject("headers").getString("transfer-encoding")).isEqualTo("chunked");
        assertThat(echo.getLong("body_bytes")).isEqualTo(5L * 1024 * 1024);
    }

    @Test
    void echoAnswersAnyMethodOnItsBarePath() throws Exception {
        Answer answer = call("tax", HttpMethod.OPTIONS, "/echo");

        assertThat(answer.json().getString("method")).isEqualTo("OPTIONS");
        assertThat(answer.json().getLong("body_bytes")).isZero();
    }

    @Test
    void bytesSendsExactlyNBytesWithAContentLength() throws Exception {
        Answer answer = call("pricing", HttpMethod.GET, "/bytes/1000000");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Length")).isEqualTo("1000000");
        assertThat(answer.header("Transfer-Encoding")).isNull();
        assertThat(answer.body().length()).isEqualTo(1_000_000);
        assertThat(answer.body().getString(0, 10)).isEqualTo("0123456789");
        assertThat(answer.body().getString(65_536, 65_546)).isEqualTo("0123456789"); // one pattern across chunks
    }

    @Test
    void bytesWithChunkedTrueSendsChunkedWithoutAContentLength() throws Exception {
        Answer answer = call("pricing", HttpMethod.GET, "/bytes/200001?chunked=true");

        assertThat(answer.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(answer.header("Content-Length")).isNull();
        assertThat(answer.body().length()).isEqualTo(200_001);
    }

    @Test
    void bytesOfZeroIsAnEmptyBody() throws Exception {
        Answer answer = call("pricing", HttpMethod.GET, "/bytes/0");

        assertThat(answer.header("Content-Length")).isEqualTo("0");
        assertThat(answer.body().length()).isZero();
    }

    @Test
    void bytesStreamsAQuarterGibibyteToAClientThatCountsWithoutKeepingIt() throws Exception {
        long size = 256L * 1024 * 1024;
        Future<Long> counted = onClientContext(() ->
                client.request(options(services.port("inventory"), HttpMethod.GET, "/bytes/" + size, 0))
                        .compose(HttpClientRequest::send)
                        .compose(response -> {
                            Promise<Long> bytes = Promise.promise();
                            long[] count = {0};
                            response.handler(chunk -> count[0] += chunk.length());
                            response.endHandler(v -> bytes.complete(count[0]));
                            response.exceptionHandler(bytes::tryFail);
                            return bytes.future();
                        }));

        assertThat(counted.await(TIMEOUT_SECONDS * 3, TimeUnit.SECONDS)).isEqualTo(size);
    }

    @Test
    void bytesAboveEightGibibytesOrNotANumberIsA400() throws Exception {
        assertThat(call("pricing", HttpMethod.GET, "/bytes/8589934593").status()).isEqualTo(400);
        assertThat(call("pricing", HttpMethod.GET, "/bytes/-1").status()).isEqualTo(400);
        assertThat(call("pricing", HttpMethod.GET, "/bytes/1k").json().getString("message"))
                .startsWith("n: 1k (expected: a number of bytes from 0 to 8589934592");
        assertThat(call("pricing", HttpMethod.HEAD, "/bytes/8589934592").header("Content-Length"))
                .isEqualTo("8589934592");
    }

    // --- plumbing ---

    private static Answer call(String service, HttpMethod method, String uri) throws Exception {
        return send(services.port(service), method, uri, NO_BODY, 0);
    }

    private static Answer callWithJson(String service, HttpMethod method, String uri, JsonObject body,
                                       String idempotencyKey) throws Exception {
        return send(services.port(service), method, uri, request -> {
            if (idempotencyKey != null) {
                request.putHeader("Idempotency-Key", idempotencyKey);
            }
            return Future.succeededFuture(body.toBuffer());
        }, 0);
    }

    private static Answer putKnobs(String service, JsonObject knobs) throws Exception {
        return callWithJson(service, HttpMethod.PUT, "/_demo/knobs", knobs, null);
    }

    /**
     * Sends one request and reads the whole answer.
     *
     * @param prepare sets headers, may stream a body itself, and gives the body to end with ({@code null} for none)
     * @param idleTimeoutMillis fails the request when nothing arrives for this long; 0 for the test's timeout
     */
    private static Answer send(int port, HttpMethod method, String uri,
                               Function<HttpClientRequest, Future<Buffer>> prepare, long idleTimeoutMillis)
            throws Exception {
        return onClientContext(() -> client.request(options(port, method, uri, idleTimeoutMillis))
                .compose(request -> prepare.apply(request).compose(body ->
                        body == null ? request.send() : request.send(body)))
                .compose(response -> response.body().map(body -> answer(response, body))))
                .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Runs a client call on the event loop: composed from the test thread, a callback could run there after the
     * response had already started arriving, and miss it.
     */
    private static <T> Future<T> onClientContext(Supplier<Future<T>> call) {
        Promise<T> result = Promise.promise();
        clientContext.runOnContext(v -> call.get().onComplete(result));
        return result.future();
    }

    private static Answer answer(HttpClientResponse response, Buffer body) {
        return new Answer(response.statusCode(), response.headers(), body);
    }

    private static RequestOptions options(int port, HttpMethod method, String uri, long idleTimeoutMillis) {
        RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(method).setURI(uri);
        return idleTimeoutMillis > 0 ? options.setIdleTimeout(idleTimeoutMillis) : options;
    }

    /** Streams {@code count} chunks of {@code size} bytes, waiting whenever the write queue is full. */
    private static Future<Buffer> writeChunks(HttpClientRequest request, int count, int size) {
        Promise<Buffer> written = Promise.promise();
        Buffer chunk = Buffer.buffer(new byte[size]);
        new Object() {
            int left = count;

            void writeMore() {
                while (left > 0 && !request.writeQueueFull()) {
                    request.write(chunk);
                    left--;
                }
                if (left == 0) {
                    written.complete(null);
                } else {
                    request.drainHandler(v -> writeMore());
                }
            }
        }.writeMore();
        return written.future();
    }
}
