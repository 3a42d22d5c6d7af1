package dev.rampart.gateway.upstream;

import dev.rampart.core.config.LoadBalancing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Chooses the endpoint for the next request to an upstream. */
public interface EndpointPicker {

    EndpointState pick();

    static EndpointPicker of(LoadBalancing balancing, List<EndpointState> endpoints) {
        if (endpoints.size() == 1) {
            EndpointState only = endpoints.get(0);
            return () -> only;
        }
        return switch (balancing) {
            case ROUND_ROBIN -> new RoundRobin(endpoints);
            case LEAST_REQUEST -> new LeastRequest(endpoints);
        };
    }

    /** Each endpoint in turn. */
    final class RoundRobin implements EndpointPicker {
        private final EndpointState[] endpoints;
        private final AtomicInteger next = new AtomicInteger();

        RoundRobin(List<EndpointState> endpoints) {
            this.endpoints = endpoints.toArray(EndpointState[]::new);
        }

        @Override
        public EndpointState pick() {
            return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
        }
    }

    /**
     * Power of two choices: of two endpoints drawn at random, the one with fewer requests in flight. Nearly as good
     * as scanning all endpoints, without herding every gateway onto the same least-loaded one.
     */
    final class LeastRequest implements EndpointPicker {
        private final EndpointState[] endpoints;

        LeastRequest(List<EndpointState> endpoints) {
            this.endpoints = endpoints.toArray(EndpointState[]::new);
        }

        @Override
        public EndpointState pick() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(endpoints.length);
            int b = random.nextInt(endpoints.length - 1);
            if (b >= a) {
                b++;
            }
            EndpointState first = endpoints[a];
            EndpointState second = endpoints[b];
            return second.inFlight() < first.inFlight() ? second : first;
        }
    }
}
