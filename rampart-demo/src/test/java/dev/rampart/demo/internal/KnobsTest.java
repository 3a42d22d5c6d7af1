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
                .add("latency", "50ms..2s").add("error-rate", "0.25").add("error-every", "3")
                .add("hang", "false").add("reset", "true").add("status", "503").add("sku", "42");

        Knobs knobs = Knobs.fromQuery(query);

        assertThat(knobs).isEqualTo(new Knobs(new Latency(Duration.ofMillis(50), Duration.ofSeconds(2)), 0.25, 3,
                false, true, 503));
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
                .put("hang", false).put("reset", "false").put("status", 502);

        assertThat(Knobs.fromJson(body)).isEqualTo(new Knobs(Latency.parse("200ms"), 1.0, 2, false, false, 502));
    }

    @Test
    void anUnknownNameInAJsonBodyIsRefusedWithTheNamesThatExist() {
        assertThatThrownBy(() -> Knobs.fromJson(new JsonObject().put("latancy", "1s")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("latancy: 1s (expected: a knob name, one of latency, error-rate, error-every, hang, reset,"
                        + " status)");
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
            "error-rate  | 1.5       | error-rate: 1.5 (expected: a fraction from 0 to 1",
            "error-rate  | 1e-1      | error-rate: 1e-1 (expected:",
            "error-rate  | NaN       | error-rate: NaN (expected:",
            "error-every | -1        | error-every: -1 (expected: a whole number",
            "error-every | two       | error-every: two (expected:",
            "hang        | yes       | hang: yes (expected: true or false)",
            "reset       | TRUE      | reset: TRUE (expected: true or false)",
            "status      | 99        | status: 99 (expected: a status code from 200 to 599)",
            "status      | 600       | status: 600 (expected:",
            "status      | 503.0     | status: 503.0 (expected:",
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

    @Test
    void perRequestKnobsOverrideServiceKnobsOneByOneIncludingBackToOff() {
        Knobs service = new Knobs(Latency.parse("1s"), null, 5, true, null, 503);
        Knobs request = new Knobs(null, 0.5, 0, false, null, null);

        assertThat(service.overriddenBy(request))
                .isEqualTo(new Knobs(Latency.parse("1s"), 0.5, 0, false, null, 503));
    }

    @Test
    void onlyAnErrorEveryAboveZeroCountsRequests() {
        assertThat(Knobs.NONE.countsRequests()).isFalse();
        assertThat(Knobs.NONE.with("error-every", "0").countsRequests()).isFalse();
        assertThat(Knobs.NONE.with("error-every", "4").countsRequests()).isTrue();
    }

    @Test
    void theJsonFormShowsOnlyTheKnobsSetAndReadsBackToTheSameKnobs() {
        Knobs knobs = new Knobs(Latency.parse("1500ms..3s"), 0.1, null, null, true, null);

        JsonObject json = knobs.toJson();

        assertThat(json).isEqualTo(new JsonObject().put("latency", "1500ms..3s").put("error-rate", 0.1)
                .put("reset", true));
        assertThat(Knobs.fromJson(json)).isEqualTo(knobs);
    }
}
