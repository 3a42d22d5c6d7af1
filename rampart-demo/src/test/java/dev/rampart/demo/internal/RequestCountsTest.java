package dev.rampart.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rampart.demo.internal.FaultPlan.Fault;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class RequestCountsTest {

    @Test
    void aNewServiceHasCountedNothing() {
        assertThat(new RequestCounts().toJson()).isEqualTo(new JsonObject().put("requests", 0L)
                .put("outcomes", new JsonObject().put("reset", 0L).put("hang", 0L).put("injected_error", 0L)
                        .put("forced_status", 0L).put("ok", 0L)));
    }

    @Test
    void everyArrivalCountsAndEachDecisionCountsUnderItsOutcome() {
        RequestCounts counts = new RequestCounts();
        for (Fault fault : new Fault[] {Fault.NONE, Fault.NONE, Fault.HANG, Fault.INJECTED_ERROR}) {
            counts.arrived();
            counts.decided(fault);
        }
        counts.arrived(); // refused for a bad knob: no decision

        JsonObject json = counts.toJson();

        assertThat(json.getLong("requests")).isEqualTo(5);
        assertThat(json.getJsonObject("outcomes").getLong("ok")).isEqualTo(2);
        assertThat(json.getJsonObject("outcomes").getLong("hang")).isEqualTo(1);
        assertThat(json.getJsonObject("outcomes").getLong("injected_error")).isEqualTo(1);
        assertThat(json.getJsonObject("outcomes").getLong("reset")).isZero();
    }

    @Test
    void resettingShowsTheCountsItClearsAndStartsAgainFromZero() {
        RequestCounts counts = new RequestCounts();
        counts.arrived();
        counts.decided(Fault.RESET);

        JsonObject cleared = counts.resetToJson();
        counts.arrived();
        counts.decided(Fault.NONE);

        assertThat(cleared.getLong("requests")).isEqualTo(1);
        assertThat(cleared.getJsonObject("outcomes").getLong("reset")).isEqualTo(1);
        assertThat(counts.toJson().getLong("requests")).isEqualTo(1);
        assertThat(counts.toJson().getJsonObject("outcomes").getLong("reset")).isZero();
        assertThat(counts.toJson().getJsonObject("outcomes").getLong("ok")).isEqualTo(1);
    }

    @Test
    void outcomesAreNamedInSnakeCaseWithOkForNone() {
        assertThat(RequestCounts.outcomeName(Fault.NONE)).isEqualTo("ok");
        assertThat(RequestCounts.outcomeName(Fault.INJECTED_ERROR)).isEqualTo("injected_error");
        assertThat(RequestCounts.outcomeName(Fault.FORCED_STATUS)).isEqualTo("forced_status");
    }
}
