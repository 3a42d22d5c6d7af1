package dev.rampart.core.resilience;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthStateTest {
    /** The defaults: back after 2 passes in a row, out after 3 failures in a row. */
    private final HealthState state = new HealthState(2, 3);

    @Test
    void anEndpointStartsHealthy() {
        assertThat(state.healthy()).isTrue();
        assertThat(state.run()).isZero();
    }

    @Test
    void exactlyTheThirdFailureInARowMakesItUnhealthy() {
        assertThat(state.recordFail()).isFalse();
        assertThat(state.recordFail()).isFalse();
        assertThat(state.healthy()).isTrue();

        assertThat(state.recordFail()).isTrue();
        assertThat(state.healthy()).isFalse();

        assertThat(state.recordFail()).isFalse(); // already unhealthy: no change
        assertThat(state.healthy()).isFalse();
    }

    @Test
    void aPassBreaksARunOfFailures() {
        state.recordFail();
        state.recordFail();
        assertThat(state.recordPass()).isFalse();

        assertThat(state.recordFail()).isFalse();
        assertThat(state.recordFail()).isFalse();
        assertThat(state.healthy()).isTrue();
        assertThat(state.recordFail()).isTrue();
    }

    @Test
    void exactlyTheSecondPassInARowMakesItHealthyAgain() {
        makeUnhealthy();

        assertThat(state.recordPass()).isFalse();
        assertThat(state.healthy()).isFalse();
        assertThat(state.recordPass()).isTrue();
        assertThat(state.healthy()).isTrue();
        assertThat(state.recordPass()).isFalse();
    }

    @Test
    void aFailureBreaksARunOfPasses() {
        makeUnhealthy();
        state.recordPass();

        assertThat(state.recordFail()).isFalse();

        assertThat(state.recordPass()).isFalse();
        assertThat(state.healthy()).isFalse();
        assertThat(state.recordPass()).isTrue();
    }

    @Test
    void aHealthyEndpointForgetsItsPassesAndAnUnhealthyOneItsFailures() {
        state.recordPass();
        state.recordPass();
        assertThat(state.run()).isZero();

        makeUnhealthy();
        state.recordFail();
        assertThat(state.run()).isZero();
    }

    @Test
    void thresholdsOfOneFlipOnEveryDisagreeingResult() {
        HealthState eager = new HealthState(1, 1);

        assertThat(eager.recordPass()).isFalse();
        assertThat(eager.recordFail()).isTrue();
        assertThat(eager.recordFail()).isFalse();
        assertThat(eager.recordPass()).isTrue();
        assertThat(eager.healthy()).isTrue();
    }

    @Test
    void invalidThresholdsAreRejectedWithWhatIsAllowed() {
        assertThatThrownBy(() -> new HealthState(0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("healthyThreshold: 0 (expected: 1..1073741823)");
        assertThatThrownBy(() -> new HealthState(2, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unhealthyThreshold: 2147483647 (expected: 1..1073741823)");
    }

    @Test
    void matchesTheDefinitionOverManyGeneratedSequences() {
        SplittableRandom random = new SplittableRandom(31337);
        for (int sequence = 0; sequence < 500; sequence++) {
            int healthyThreshold = random.nextInt(1, 6);
            int unhealthyThreshold = random.nextInt(1, 6);
            HealthState state = new HealthState(healthyThreshold, unhealthyThreshold);
            List<Boolean> results = new ArrayList<>();
            boolean healthy = true;
            for (int step = 0; step < 300; step++) {
                boolean pass = random.nextInt(3) != 0 == (sequence % 2 == 0);
                results.add(pass);
                // the definition: the state flips when the last `threshold` results all disagree with it and the
                // run that does so started after the last flip
                boolean changed = pass ? state.recordPass() : state.recordFail();
                boolean expected = false;
                int threshold = healthy ? unhealthyThreshold : healthyThreshold;
                if (pass != healthy && results.size() >= threshold
                        && results.subList(results.size() - threshold, results.size()).stream()
                        .allMatch(r -> r == pass)) {
                    expected = true;
                    healthy = !healthy;
                    results.clear(); // a run never spans a flip
                }
                assertThat(changed).as("sequence %d step %d", sequence, step).isEqualTo(expected);
                assertThat(state.healthy()).isEqualTo(healthy);
            }
        }
    }

    @Test
    void concurrentFailuresChangeTheStateExactlyOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            HealthState state = new HealthState(2, 3);
            AtomicInteger changes = new AtomicInteger();

            Concurrently.run(4, thread -> {
                for (int i = 0; i < 25; i++) {
                    if (state.recordFail()) {
                        changes.incrementAndGet();
                    }
                }
                return null;
            });

            assertThat(changes.get()).isEqualTo(1);
            assertThat(state.healthy()).isFalse();

            Concurrently.run(4, thread -> {
                for (int i = 0; i < 25; i++) {
                    if (state.recordPass()) {
                        changes.incrementAndGet();
                    }
                }
                return null;
            });

            assertThat(changes.get()).isEqualTo(2);
            assertThat(state.healthy()).isTrue();
        }
    }

    private void makeUnhealthy() {
        state.recordFail();
        state.recordFail();
        state.recordFail();
        assertThat(state.healthy()).isFalse();
    }
}
