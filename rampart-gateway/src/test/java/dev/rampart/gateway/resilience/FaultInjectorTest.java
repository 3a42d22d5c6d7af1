package dev.rampart.gateway.resilience;

import dev.rampart.core.config.FaultConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class FaultInjectorTest {

    @Test
    void injectsNothingWhenNoShareIsDrawn() {
        FaultInjector faults = new FaultInjector(new FaultConfig(
                new FaultConfig.DelayFault(Duration.ofMillis(10), Duration.ofMillis(10), 0.0),
                new FaultConfig.AbortFault(503, 0.0), null));
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(faults.decide(random)).isNull();
        }
    }

    @Test
    void injectsTheConfiguredShareOfAborts() {
        FaultInjector faults = new FaultInjector(new FaultConfig(null, new FaultConfig.AbortFault(503, 0.25), null));
        SplittableRandom random = new SplittableRandom(7);
        int aborted = 0;
        for (int i = 0; i < 20_000; i++) {
            FaultInjector.Fault fault = faults.decide(random);
            if (fault != null) {
                assertThat(fault.abort()).isTrue();
                assertThat(fault.abortStatus()).isEqualTo(503);
                assertThat(fault.reset()).isFalse();
                aborted++;
            }
        }
        assertThat(aborted / 20_000.0).isBetween(0.23, 0.27);
    }

    @Test
    void delaysStayInsideTheConfiguredRange() {
        FaultInjector faults = new FaultInjector(new FaultConfig(
                new FaultConfig.DelayFault(Duration.ofMillis(50), Duration.ofMillis(200), 1.0), null, null));
        SplittableRandom random = new SplittableRandom(3);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 5_000; i++) {
            long delay = faults.decide(random).delayNanos();
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertThat(min).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos()).isLessThan(Duration.ofMillis(60).toNanos());
        assertThat(max).isLessThanOrEqualTo(Duration.ofMillis(200).toNanos()).isGreaterThan(Duration.ofMillis(190).toNanos());
    }

    @Test
    void fixedDelayIsExact() {
        FaultInjector faults = new FaultInjector(new FaultConfig(
                new FaultConfig.DelayFault(Duration.ofMillis(100), Duration.ofMillis(100), 1.0), null, null));
        assertThat(faults.decide(new SplittableRandom(5)).delayNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void statusZeroMeansResetTheConnection() {
        FaultInjector faults = new FaultInjector(new FaultConfig(null, new FaultConfig.AbortFault(0, 1.0), null));
        assertThat(faults.decide(new SplittableRandom(5)).reset()).isTrue();
    }
}
