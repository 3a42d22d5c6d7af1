package dev.rampart.gateway.resilience;

import com.netflix.concurrency.limits.Limiter;
import dev.rampart.core.config.ConcurrencyLimitConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoadShedderTest {
    private static ConcurrencyLimitConfig fixed(int limit) {
        return new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.FIXED, limit, 1, limit);
    }

    @Test
    void fixedLimitAdmitsExactlyTheLimitThenShedsUntilAPermitIsReturned() {
        LoadShedder shedder = new LoadShedder("route r", fixed(3), false);
        List<Limiter.Listener> permits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            permits.add(shedder.tryAcquire(false));
        }
        assertThat(permits).doesNotContainNull();
        assertThat(shedder.tryAcquire(false)).isNull();
        assertThat(shedder.inFlight()).isEqualTo(3);
        permits.get(0).onSuccess();
        assertThat(shedder.tryAcquire(false)).isNotNull();
    }

    @Test
    void criticalRequestsKeepTheLastFifthOfTheLimitForThemselves() {
        LoadShedder shedder = new LoadShedder("upstream u", fixed(10), true);
        for (int i = 0; i < 8; i++) {
            assertThat(shedder.tryAcquire(false)).as("non-critical #%d", i + 1).isNotNull();
        }
        assertThat(shedder.tryAcquire(false)).as("non-critical beyond 80 %").isNull();
        assertThat(shedder.tryAcquire(true)).isNotNull();
        assertThat(shedder.tryAcquire(true)).isNotNull();
        assertThat(shedder.tryAcquire(true)).as("critical beyond the limit").isNull();
    }

    @Test
    void withoutCriticalRoutesEveryoneMayUseTheWholeLimit() {
        LoadShedder shedder = new LoadShedder("upstream u", fixed(10), false);
        for (int i = 0; i < 10; i++) {
            assertThat(shedder.tryAcquire(false)).isNotNull();
        }
        assertThat(shedder.tryAcquire(false)).isNull();
    }

    @Test
    void adaptiveLimitsStartAtTheirInitialLimit() {
        LoadShedder gradient = new LoadShedder("g", new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.GRADIENT2,
                20, 5, 200), false);
        LoadShedder vegas = new LoadShedder("v", new ConcurrencyLimitConfig(ConcurrencyLimitConfig.Kind.VEGAS,
                20, 5, 200), false);
        assertThat(gradient.limit()).isEqualTo(20);
        assertThat(vegas.limit()).isEqualTo(20);
    }
}
