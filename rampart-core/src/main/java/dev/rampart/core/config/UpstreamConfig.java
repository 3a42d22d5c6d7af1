package dev.rampart.core.config;

import java.util.List;

/** A named pool of endpoints that routes send traffic to. */
public record UpstreamConfig(String name, List<Endpoint> endpoints, LoadBalancing loadBalancing, PoolConfig pool,
                             boolean tlsVerify) {
    public UpstreamConfig {
        endpoints = List.copyOf(endpoints);
    }
}
