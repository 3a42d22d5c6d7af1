package dev.rampart.gateway.admin;

import dev.rampart.core.latency.SlidingLatencyWindow.Snapshot;
import dev.rampart.gateway.observe.ExchangeRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static dev.rampart.gateway.admin.RouteStats.FIVE_MINUTES;
import static dev.rampart.gateway.admin.RouteStats.ONE_MINUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

class RouteStatsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RouteStats stats = new RouteStats(now::get);

    /** A finished request through {@code route} to {@code upstream} taking {@code millis}. */
    static ExchangeRecord finished(String route, String upstream, int status, long millis, String errorCode) {
        String endpoint = upstream == null ? null : "http://127.0.0.1:7001";
        return new ExchangeRecord(1_764_087_012_345L, route, upstream, endpoint, "GET", "/x", null, status,
                millis * 1_000_000, upstream == null ? 0 : status, 0, 10, "id", "127.0.0.1", errorCode,
                -1, -1, -1, -1, null, null);
    }

    @Test
    void latenciesAndCountsArePerRoute() {
        for (int ms = 1; ms <= 100; ms++) {
            stats.finished(finished("prices", "pricing", 200, ms, null));
        }
        stats.finished(finished("stock", "inventory", 200, 500, null));

        Snapshot prices = stats.route("prices").snapshot(ONE_MINUTE);
        assertThat(prices.count()).isEqualTo(100);
        assertThat(prices.p50Millis()).isCloseTo(50, withPercentage(1));
        assertThat(prices.p99Millis()).isCloseTo(99, withPercentage(1));
        assertThat(stats.route("prices").requests()).isEqualTo(100);
        assertThat(stats.route("stock").snapshot(ONE_MINUTE).p50Millis()).isCloseTo(500, withPercentage(1));
    }

    @Test
    void fiveHundredsAndServerSideFailuresAreErrorsButClientMistakesAreNot() {
        stats.finished(finished("prices", "pricing", 200, 1, null));
        stats.finished(finished("prices", "pricing", 503, 1, null));                 // upstream's own 5xx
        stats.finished(finished("prices", "pricing", 504, 1, "upstream_timeout"));
        stats.finished(finished("prices", "pricing", 200, 1, "upstream_reset"));     // cut after the head was sent
        stats.finished(finished("prices", "pricing", 404, 1, null));                 // upstream's own 404
        stats.finished(finished("prices", "pricing", 413, 1, "body_too_large"));
        stats.finished(finished("prices", "pricing", 499, 1, "client_closed_request"));
        stats.finished(finished("prices", "pricing", 200, 1, "client_too_slow"));

        RouteStats.Traffic prices = stats.route("prices");
        assertThat(prices.requests()).isEqualTo(8);
        assertThat(prices.errors()).isEqualTo(3);
        assertThat(prices.snapshot(ONE_MINUTE).errors()).isEqualTo(3);
        assertThat(prices.snapshot(ONE_MINUTE).errorRatio()).isEqualTo(3 / 8.0);
    }

    @Test
    void upstreamsAreTrackedAcrossTheRoutesThatUseThem() {
        stats.finished(finished("prices", "pricing", 200, 10, null));
        stats.finished(finished("price-history", "pricing", 502, 30, "upstream_unavailable"));
        stats.finished(finished("stock", "inventory", 200, 5, null));

        assertThat(stats.upstreamNames()).containsExactly("inventory", "pricing");
        assertThat(stats.upstream("pricing").requests()).isEqualTo(2);
        assertThat(stats.upstream("pricing").errors()).isEqualTo(1);
        assertThat(stats.upstream("pricing").snapshot(ONE_MINUTE).maxMillis()).isCloseTo(30, withPercentage(1));
    }

    @Test
    void requestsThatMatchedNoRouteAreNotCounted() {
        stats.finished(finished(null, null, 404, 1, "route_not_found"));
        stats.finished(finished(null, null, 400, 0, "bad_request"));

        assertThat(stats.upstreamNames()).isEmpty();
        assertThat(stats.route("none").requests()).isZero();
    }

    @Test
    void aRouteWithoutTrafficHasAnEmptyWindowAndIsNotCreated() {
        assertThat(stats.route("idle").snapshot(FIVE_MINUTES).isEmpty()).isTrue();
        assertThat(stats.route("idle").requests()).isZero();
        assertThat(stats.upstream("idle").requests()).isZero();
        assertThat(stats.upstreamNames()).isEmpty();
    }

    @Test
    void windowsForgetButTotalsDoNot() {
        stats.finished(finished("prices", "pricing", 500, 10, null));
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        stats.compact();

        RouteStats.Traffic prices = stats.route("prices");
        assertThat(prices.snapshot(ONE_MINUTE).isEmpty()).isTrue();
        assertThat(prices.snapshot(FIVE_MINUTES).count()).isEqualTo(1);
        assertThat(prices.requests()).isEqualTo(1);
        assertThat(prices.errors()).isEqualTo(1);

        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(prices.snapshot(FIVE_MINUTES).isEmpty()).isTrue();
        assertThat(prices.requests()).isEqualTo(1);
    }
}
