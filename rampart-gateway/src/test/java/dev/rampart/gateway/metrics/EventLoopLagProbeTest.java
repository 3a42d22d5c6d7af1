package dev.rampart.gateway.metrics;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The event-loop lag probes measure how late each loop runs their timer. */
@Timeout(30)
class EventLoopLagProbeTest {
    private final GatewayMetrics metrics = new GatewayMetrics("lag-test");
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

    @AfterEach
    void close() {
        metrics.close();
        vertx.close().await();
    }

    @Test
    void everyEventLoopReportsAPositiveLag() {
        metrics.bindVertx(vertx, 2);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Exposition scrape = Exposition.parse(metrics.scrape());
            for (String loop : new String[] {"0", "1"}) {
                assertThat(scrape.value("rampart_event_loop_lag_seconds_count", "event_loop", loop))
                        .isGreaterThanOrEqualTo(3);
                assertThat(scrape.value("rampart_event_loop_lag_seconds_sum", "event_loop", loop)).isPositive();
            }
        });
    }

    @Test
    void aBlockedLoopShowsItsStallAsLag() {
        metrics.bindVertx(vertx, 2);
        EventExecutor first = ((VertxInternal) vertx).nettyEventLoopGroup().iterator().next();

        first.execute(() -> sleep(Duration.ofMillis(400))); // what a blocking call on the event loop would do

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Exposition scrape = Exposition.parse(metrics.scrape());
            assertThat(scrape.value("rampart_event_loop_lag_seconds_max", "event_loop", "0"))
                    .isGreaterThanOrEqualTo(0.25);
            assertThat(scrape.value("rampart_event_loop_lag_seconds_bucket", "event_loop", "0", "le", "0.25"))
                    .isLessThan(scrape.value("rampart_event_loop_lag_seconds_count", "event_loop", "0"));
        });
        Exposition scrape = Exposition.parse(metrics.scrape());
        assertThat(scrape.value("rampart_event_loop_lag_seconds_max", "event_loop", "1"))
                .as("the other loop was not blocked")
                .isLessThan(scrape.value("rampart_event_loop_lag_seconds_max", "event_loop", "0"));
    }

    @Test
    void onlyTheGivenNumberOfLoopsIsProbed() {
        metrics.bindVertx(vertx, 1);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Exposition.parse(metrics.scrape())
                .value("rampart_event_loop_lag_seconds_count", "event_loop", "0")).isPositive());
        assertThat(Exposition.parse(metrics.scrape()).has("rampart_event_loop_lag_seconds_count", "event_loop", "1"))
                .isFalse();
    }

    @Test
    void closingStopsTheProbes() throws InterruptedException {
        metrics.bindVertx(vertx, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> count() > 0);

        metrics.close();
        Thread.sleep(GatewayMetrics.LAG_PROBE_INTERVAL.toMillis() * 2); // let a probe already due run out
        double stoppedAt = count();
        Thread.sleep(GatewayMetrics.LAG_PROBE_INTERVAL.toMillis() * 3);

        assertThat(count()).isEqualTo(stoppedAt);
    }

    private double count() {
        return Exposition.parse(metrics.scrape()).value("rampart_event_loop_lag_seconds_count", "event_loop", "0");
    }

    private static void sleep(Duration duration) {
        try {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
