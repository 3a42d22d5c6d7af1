package dev.rampart.it;

import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.JsonLines;
import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGTERM drains: requests in flight finish, new connections are refused, readiness says so, exit code 0. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainIT {
    private static final long SLOW_MILLIS = 2000;

    private final Upstreams upstreams = new Upstreams();
    private final CountDownLatch slowRequestArrived = new CountDownLatch(1);
    private String slowUpstream;
    private RampartProcess gateway;

    @BeforeEach
    void startUpstream() {
        slowUpstream = upstreams.http(request -> {
            slowRequestArrived.countDown();
            if (request.path().equals("/hang")) {
                return;
            }
            upstreams.vertx().setTimer(SLOW_MILLIS, t -> request.response().end("finished"));
        });
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    private RampartProcess startGateway(String drainTimeout) {
        gateway = RampartProcess.gateway("""
                service: drain-it
                listen: { host: 127.0.0.1, port: ${listen.port}, drain-timeout: %s }
                admin: { port: ${admin.port} }
                upstreams:
                  slow: { endpoints: [ "%s" ] }
                routes:
                  - id: slow
                    upstream: slow
                """.formatted(drainTimeout, slowUpstream)).name("DrainIT").start();
        return gateway;
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishRefusesNewConnectionsAndExitsZero() throws Exception {
        startGateway("10s");
        CompletableFuture<HttpResponse<String>> inFlight = RampartProcess.httpClient().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/slow")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(slowRequestArrived.await(10, TimeUnit.SECONDS)).isTrue();

        gateway.sendSignal("TERM");

        HttpResponse<String> draining = await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
                .until(gateway::readyz, r -> r.map(HttpResponse::statusCode).orElse(0) == 503).orElseThrow();
        assertThat(JsonLines.parse(draining.body()).path("status").asText()).isEqualTo("draining");
        await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
                .until(() -> !FreePorts.isListening(gateway.port()));
        assertThat(inFlight).as("request in flight still running when new connections are refused").isNotDone();

        HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).isEqualTo("finished");
        assertThat(gateway.waitFor(Duration.ofSeconds(15))).isZero();
    }

    @Test
    void idleGatewayExitsZeroPromptlyOnSigterm() {
        startGateway("10s");
        assertThat(gateway.get("/quick").statusCode()).isEqualTo(200);
        long start = System.nanoTime();

        gateway.sendSignal("TERM");

        assertThat(gateway.waitFor(Duration.ofSeconds(15))).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void idleKeepAliveConnectionDoesNotHoldUpTheShutdown() {
        startGateway("10s");
        try (RawHttp connection = RawHttp.connect(gateway.port())) {
            RawHttp.Response response = connection.send(RawHttp.request("GET", "/quick", "Host: gateway.test"))
                    .readResponse();
            assertThat(response.status()).isEqualTo(200);
            long start = System.nanoTime();

            gateway.sendSignal("TERM");

            assertThat(connection.timeout(Duration.ofSeconds(5)).awaitClosedByPeer())
                    .as("idle keep-alive connection closed by the drain").isTrue();
            assertThat(gateway.waitFor(Duration.ofSeconds(15))).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("shutdown with an idle keep-alive connection")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void requestOutlastingTheDrainTimeoutIsCutAndTheProcessStillExitsInTime() throws Exception {
        startGateway("1s");
        CompletableFuture<HttpResponse<String>> hung = RampartProcess.httpClient().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/hang")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(slowRequestArrived.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();

        gateway.sendSignal("TERM");

        assertThat(gateway.waitFor(Duration.ofSeconds(15))).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        Optional<Integer> status = hung.handle((r, e) -> e == null ? Optional.of(r.statusCode()) : Optional.<Integer>empty())
                .get(10, TimeUnit.SECONDS);
        assertThat(status.orElse(0)).as("the hung request got no success").isNotEqualTo(200);
    }
}
