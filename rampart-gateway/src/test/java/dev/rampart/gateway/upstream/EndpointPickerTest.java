package dev.rampart.gateway.upstream;

import dev.rampart.core.config.Endpoint;
import dev.rampart.core.config.LoadBalancing;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointPickerTest {
    private final List<EndpointState> three = List.of(
            new EndpointState(new Endpoint(false, "10.0.0.1", 80)),
            new EndpointState(new Endpoint(false, "10.0.0.2", 80)),
            new EndpointState(new Endpoint(false, "10.0.0.3", 80)));

    @Test
    void roundRobinVisitsEveryEndpointInTurn() {
        EndpointPicker picker = EndpointPicker.of(LoadBalancing.ROUND_ROBIN, three);

        List<EndpointState> picks = List.of(picker.pick(), picker.pick(), picker.pick(), picker.pick());

        assertThat(picks).containsExactly(three.get(0), three.get(1), three.get(2), three.get(0));
    }

    @Test
    void leastRequestAvoidsTheBusiestEndpoint() {
        EndpointPicker picker = EndpointPicker.of(LoadBalancing.LEAST_REQUEST, three);
        for (int i = 0; i < 50; i++) {
            three.get(0).requestStarted();
        }

        Map<EndpointState, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(picker.pick(), 1, Integer::sum);
        }

        // with two random choices, the busy endpoint wins only when it is drawn against itself, which cannot happen
        assertThat(counts.getOrDefault(three.get(0), 0)).isZero();
        assertThat(counts.get(three.get(1))).isBetween(1200, 1800);
    }

    @Test
    void leastRequestSpreadsEvenlyWhenIdle() {
        EndpointPicker picker = EndpointPicker.of(LoadBalancing.LEAST_REQUEST, three);

        Map<EndpointState, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(picker.pick(), 1, Integer::sum);
        }

        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(800, 1200));
    }

    @Test
    void aSingleEndpointIsAlwaysPicked() {
        EndpointPicker picker = EndpointPicker.of(LoadBalancing.LEAST_REQUEST, three.subList(0, 1));

        assertThat(picker.pick()).isSameAs(three.get(0));
    }
}
