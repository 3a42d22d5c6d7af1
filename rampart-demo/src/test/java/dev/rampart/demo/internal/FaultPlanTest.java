package dev.rampart.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rampart.demo.internal.FaultPlan.Fault;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;
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
        Knobs all = Knobs.NONE.with("error-rate", "1").with("error-every", "1").with("hang", "true")
                .with("reset", "true").with("status", "503");
        Knobs noReset = all.with("reset", "false");
        Knobs noHang = noReset.with("hang", "false");
        Knobs noErrors = noHang.with("error-rate", "0").with("error-every", "0");

        assertThat(FaultPlan.decide(all, 1, () -> 0.0).fault()).isEqualTo(Fault.RESET);
        assertThat(FaultPlan.decide(noReset, 1, () -> 0.0).fault()).isEqualTo(Fault.HANG);
        assertThat(FaultPlan.decide(noHang, 1, () -> 0.0).fault()).isEqualTo(Fault.INJECTED_ERROR);
        assertThat(FaultPlan.decide(noErrors, 1, () -> 0.0)).isEqualTo(new FaultPlan(0, Fault.FORCED_STATUS, 503));
    }

    @Test
    void injectedErrorsCarryTheErrorStatus() {
        assertThat(FaultPlan.decide(Knobs.NONE.with("error-every", "1"), 1, NEVER_RANDOM))
                .isEqualTo(new FaultPlan(0, Fault.INJECTED_ERROR, 500));
        assertThat(FaultPlan.decide(Knobs.NONE.with("error-every", "1").with("error-status", "503"), 1, NEVER_RANDOM))
                .isEqualTo(new FaultPlan(0, Fault.INJECTED_ERROR, 503));
    }

    @Test
    void theRateKnobsShareOneDrawSoThatTheirSharesAddUp() {
        Knobs brownout = Knobs.NONE.with("reset-rate", "0.1").with("hang-rate", "0.25").with("error-rate", "0.25");

        assertThat(FaultPlan.decide(brownout, 0, () -> 0.0).fault()).isEqualTo(Fault.RESET);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.099).fault()).isEqualTo(Fault.RESET);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.1).fault()).isEqualTo(Fault.HANG);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.349).fault()).isEqualTo(Fault.HANG);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.35).fault()).isEqualTo(Fault.INJECTED_ERROR);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.599).fault()).isEqualTo(Fault.INJECTED_ERROR);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.6).fault()).isEqualTo(Fault.NONE);
        assertThat(FaultPlan.decide(brownout, 0, () -> 0.999).fault()).isEqualTo(Fault.NONE);
    }

    @Test
    void halfTheRequestsFailWhenHangRateAndErrorRateAreAQuarterEach() {
        Knobs brownout = Knobs.NONE.with("hang-rate", "25%").with("error-rate", "25%");
        int requests = 10_000;

        long failed = IntStream.range(0, requests)
                .mapToObj(i -> FaultPlan.decide(brownout, 0, evenlySpread(i, requests)).fault())
                .filter(fault -> fault != Fault.NONE)
                .count();

        assertThat(failed).isEqualTo(requests / 2);
    }

    @Test
    void ratesAddingUpToMoreThanOneFailEveryRequestInTheirOrder() {
        Knobs tooMuch = Knobs.NONE.with("hang-rate", "0.75").with("error-rate", "0.75");

        assertThat(FaultPlan.decide(tooMuch, 0, () -> 0.74).fault()).isEqualTo(Fault.HANG);
        assertThat(FaultPlan.decide(tooMuch, 0, () -> 0.999).fault()).isEqualTo(Fault.INJECTED_ERROR);
    }

    @Test
    void resetAndHangFlagsWinWhateverTheDraw() {
        assertThat(FaultPlan.decide(Knobs.NONE.with("reset", "true").with("hang-rate", "1"), 0, () -> 0.5).fault())
                .isEqualTo(Fault.RESET);
        assertThat(FaultPlan.decide(Knobs.NONE.with("hang", "true").with("error-rate", "1"), 0, () -> 0.5).fault())
                .isEqualTo(Fault.HANG);
    }

    @Test
    void latencyIsAddedBeforeWhateverElseHappens() {
        Knobs knobs = Knobs.NONE.with("latency", "100ms..200ms").with("status", "502");

        assertThat(FaultPlan.decide(knobs, 0, () -> 0.5)).isEqualTo(new FaultPlan(150, Fault.FORCED_STATUS, 502));
    }

    /** The i-th of n draws spread evenly over [0, 1), so that shares come out exact. */
    private static DoubleSupplier evenlySpread(int i, int n) {
        return () -> (double) i / n;
    }
}
