package dev.rampart.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rampart.demo.internal.FaultPlan.Fault;
import java.util.function.DoubleSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

    private static final DoubleSupplier NEVER_RANDOM = () -> {
        throw new AssertionError("no random draw expected");
    };

    @Test
    void withoutKnobsARequestIsAnsweredAtOnceAndNormally() {
        assertThat(FaultPlan.decide(Knobs.NONE, 0, NEVER_RANDOM)).isEqualTo(new FaultPlan(0, Fault.NONE, 0));
    }

    @Test
    void errorEveryFailsExactlyEveryNthCountedRequest() {
        Knobs knobs = Knobs.NONE.with("error-every", "3");

        assertThat(LongStream.rangeClosed(1, 7).mapToObj(n -> FaultPlan.decide(knobs, n, NEVER_RANDOM).fault()))
                .containsExactly(Fault.NONE, Fault.NONE, Fault.INJECTED_ERROR, Fault.NONE, Fault.NONE,
                        Fault.INJECTED_ERROR, Fault.NONE);
    }

    @Test
    void errorRateFailsARequestWhenTheDrawFallsBelowIt() {
        Knobs knobs = Knobs.NONE.with("error-rate", "0.25");

        assertThat(FaultPlan.decide(knobs, 0, () -> 0.2).fault()).isEqualTo(Fault.INJECTED_ERROR);
        assertThat(FaultPlan.decide(knobs, 0, () -> 0.25).fault()).isEqualTo(Fault.NONE);
    }

    @Test
    void anErrorRateOfZeroNeverDraws() {
        assertThat(FaultPlan.decide(Knobs.NONE.with("error-rate", "0"), 0, NEVER_RANDOM).fault()).isEqualTo(Fault.NONE);
    }

    @Test
    void resetWinsOverHangWhichWinsOverErrorsWhichWinOverAForcedStatus() {
        Knobs all = new Knobs(null, 1.0, 1, true, true, 503);

        assertThat(FaultPlan.decide(all, 1, () -> 0.0).fault()).isEqualTo(Fault.RESET);
        assertThat(FaultPlan.decide(all.with("reset", "false"), 1, () -> 0.0).fault()).isEqualTo(Fault.HANG);
        assertThat(FaultPlan.decide(all.with("reset", "false").with("hang", "false"), 1, () -> 0.0).fault())
                .isEqualTo(Fault.INJECTED_ERROR);
        assertThat(FaultPlan.decide(new Knobs(null, 0.0, 0, false, false, 503), 1, () -> 0.0))
                .isEqualTo(new FaultPlan(0, Fault.FORCED_STATUS, 503));
    }

    @Test
    void latencyIsAddedBeforeWhateverElseHappens() {
        Knobs knobs = Knobs.NONE.with("latency", "100ms..200ms").with("status", "502");

        assertThat(FaultPlan.decide(knobs, 0, () -> 0.5)).isEqualTo(new FaultPlan(150, Fault.FORCED_STATUS, 502));
    }
}
