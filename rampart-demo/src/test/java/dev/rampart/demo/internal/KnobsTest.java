package dev.rampart.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KnobsTest {

    @Test
    void everyKnobIsReadFromTheQueryAndOtherParametersAreLeftAlone() {
        MultiMap query = MultiMap.caseInsensitiveMultiMap()
                .add("latency", "50ms..2s").add("error-rate", "0.25").add("error-every", "3").add("error-status", "503")
                .add("hang", "false").add("hang-rate", "0.1").add("reset", "true").add("reset-rate", "5%")
                .add("status", "503").add("healthy", "false").add("overloaded", "true").add("sku", "42");

        Knobs knobs = Knobs.fromQuery(query);

        assertThat(knobs).isEqualTo(new Knobs(new Latency(Duration.ofMillis(50), Duration.ofSeconds(2)), 0.25, 3,
                503, false, 0.1, true, 0.05, 503, false, true));
    }

    @Test
    void knobsAbsentFromTheQueryAreNotSet() {
        assertThat(Knobs.fromQuery(MultiMap.caseInsensitiveMultiMap().add("sku", "42"))).isEqualTo(Knobs.NONE);
    }

    @Test
    void aKnobGivenTwiceInTheQueryIsRefused() {
        MultiMap query = MultiMap.caseInsensitiveMultiMap().add("status", "500").add("status", "503");

        assertThatThrownBy(() -> Knobs.fromQuery(query))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("status: [500, 503] (expected: a single value)");
    }

    @Test
    void aJsonBodyMayGiveValuesAsStringsNumbersOrBooleans() {
        JsonObject body = new JsonObject().put("latency", "200ms").put("error-rate", 1).put("error-every", 2)
                .put("error-status", "503").put("hang", false).put("hang-rate", "25%").put("reset", "false")
                .put("reset-rate", 0).put("status", 502).put("healthy", true).put("overloaded", "false");

        assertThat(Knobs.fromJson(body)).isEqualTo(new Knobs(Latency.parse("200ms"), 1.0, 2, 503, false, 0.25, false,
                0.0, 502, true, false));
    }

    @Test
    void anUnknownNameInAJsonBodyIsRefusedWithTheNamesThatExist() {
        assertThatThrownBy(() -> Knobs.fromJson(new JsonObject().put("latancy", "1s")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("latancy: 1s (expected: a knob name, one of latency, error-rate, error-every, error-status,"
                        + " hang, hang-rate, reset, reset-rate, status, healthy, overloaded)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "latency     | fast      | latency: fast (expected: a duration such as 200ms or 2s",
            "latency     | 200 ms    | latency: 200 ms (expected:",
            "latency     | 1.5s      | latency: 1.5s (expected:",
            "latency     | 2m        | latency: 2m (expected:",
            "latency     | -5ms      | latency: -5ms (expected:",
            "latency     | 500ms..50ms | latency: 500ms..50ms (expected:",
            "latency     | 601s      | latency: 601s (expected:",
            "error-rate  | 1.5       | error-rate: 1.5 (expected: a fraction from 0 to 1 such as 0.25, or a percentage",
            "error-rate  | 101%      | error-rate: 101% (expected:",
            "error-rate  | 25 %      | error-rate: 25 % (expected:",
            "hang-rate   | -0.1      | hang-rate: -0.1 (expected: a fraction from 0 to 1",
            "reset-rate  | 50 percent | reset-rate: 50 percent (expected: a fraction from 0 to 1",
            "error-rate  | 1e-1      | error-rate: 1e-1 (expected:",
            "error-rate  | NaN       | error-rate: NaN (expected:",
            "error-every | -1        | error-every: -1 (expected: a whole number",
            "error-every | two       | error-every: two (expected:",
            "hang        | yes       | hang: yes (expected: true or false)",
            "reset       | TRUE      | reset: TRUE (expected: true or false)",
            "status      | 99        | status: 99 (expected: a status code from 200 to 599)",
            "status      | 600       | status: 600 (expected:",
            "status      | 503.0     | status: 503.0 (expected:",
            "error-status | 200      | error-status: 200 (expected: a status code from 400 to 599)",
            "error-status | 600      | error-status: 600 (expected:",
            "healthy     | no        | healthy: no (expected: true or false)",
            "overloaded  | 1         | overloaded: 1 (expected: true or false)",
    })
    void badValuesAreRefusedWithAMessageNamingTheKnobAndTheValue(String name, String value, String messageStart) {
        assertThatThrownBy(() -> Knobs.NONE.with(name, value))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(messageStart);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "0.5", ".5", "1.0", "0.001"})
    void errorRatesFromZeroToOneAreAccepted(String rate) {
        assertThat(Knobs.NONE.with("error-rate", rate).errorRate()).isEqualTo(Double.parseDouble(rate));
    }

    @ParameterizedTest
    @CsvSource({"0%, 0.0", "25%, 0.25", "2.5%, 0.025", "100%, 1.0", "100.0%, 1.0", "99.9%, 0.999"})
    void everyRateMayBeGivenAsAPercentage(String text, double fraction) {
        assertThat(Knobs.NONE.with("error-rate", text).errorRate()).isEqualTo(fraction);
        assertThat(Knobs.NONE.with("hang-rate", text).hangRate()).isEqualTo(fraction);
        assertThat(Knobs.NONE.with("reset-rate", text).resetRate()).isEqualTo(fraction);
    }

    @Test
    void perRequestKnobsOverrideServiceKnobsOneByOneIncludingBackToOff() {
        Knobs service = Knobs.NONE.with("latency", "1s").with("error-every", "5").with("hang", "true")
                .with("status", "503").with("healthy", "false");
        Knobs request = Knobs.NONE.with("error-rate", "0.5").with("error-every", "0").with("hang", "false")
                .with("healthy", "true");

        assertThat(service.overriddenBy(request)).isEqualTo(Knobs.NONE.with("latency", "1s").with("error-rate", "0.5")
                .with("error-every", "0").with("hang", "false").with("status", "503").with("healthy", "true"));
    }

    @Test
    void injectedErrorsAre500UnlessErrorStatusSaysOtherwise() {
        assertThat(Knobs.NONE.injectedErrorStatus()).isEqualTo(500);
        assertThat(Knobs.NONE.with("error-status", "503").injectedErrorStatus()).isEqualTo(503);
    }

    @Test
    void aServiceIsHealthyUnlessHealthyIsFalse() {
        assertThat(Knobs.NONE.reportsHealthy()).isTrue();
        assertThat(Knobs.NONE.with("healthy", "true").reportsHealthy()).isTrue();
        assertThat(Knobs.NONE.with("healthy", "false").reportsHealthy()).isFalse();
    }

    @Test
    void overloadIsSignalledOnlyWhenOverloadedIsTrue() {
        assertThat(Knobs.NONE.signalsOverload()).isFalse();
        assertThat(Knobs.NONE.with("overloaded", "false").signalsOverload()).isFalse();
        assertThat(Knobs.NONE.with("overloaded", "true").signalsOverload()).isTrue();
    }

    @Test
    void onlyARateAboveZeroMakesARandomDraw() {
        assertThat(Knobs.NONE.drawsFaults()).isFalse();
        assertThat(Knobs.NONE.with("error-rate", "0").with("hang-rate", "0%").with("reset-rate", "0")
                .drawsFaults()).isFalse();
        assertThat(Knobs.NONE.with("hang-rate", "0.01").drawsFaults()).isTrue();
        assertThat(Knobs.NONE.with("reset-rate", "1%").drawsFaults()).isTrue();
        assertThat(Knobs.NONE.with("error-rate", "1").drawsFaults()).isTrue();
    }

    @Test
    void onlyAnErrorEveryAboveZeroCountsRequests() {
        assertThat(Knobs.NONE.countsRequests()).isFalse();
        assertThat(Knobs.NONE.with("error-every", "0").countsRequests()).isFalse();
        assertThat(Knobs.NONE.with("error-every", "4").countsRequests()).isTrue();
    }

    @Test
    void theJsonFormShowsOnlyTheKnobsSetAndReadsBackToTheSameKnobs() {
        Knobs knobs = Knobs.NONE.with("latency", "1500ms..3s").with("error-rate", "0.1").with("reset", "true")
                .with("hang-rate", "25%").with("error-status", "503").with("overloaded", "true");

        JsonObject json = knobs.toJson();

        assertThat(json).isEqualTo(new JsonObject().put("latency", "1500ms..3s").put("error-rate", 0.1)
                .put("error-status", 503).put("hang-rate", 0.25).put("reset", true).put("overloaded", true));
        assertThat(Knobs.fromJson(json)).isEqualTo(knobs);
    }
}
