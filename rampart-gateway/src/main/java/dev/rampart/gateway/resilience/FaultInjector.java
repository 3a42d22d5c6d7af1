package dev.rampart.gateway.resilience;

import dev.rampart.core.config.FaultConfig;
import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Chaos drills (rule 11): delays and aborts injected into a share of a route's requests, optionally only for
 * requests that carry a given header. Off unless configured.
 */
public final class FaultInjector {
    /** What to do to one request: wait first ({@code delayNanos > 0}), and/or answer without the upstream. */
    public record Fault(long delayNanos, boolean abort, int abortStatus) {
        /** Abort by resetting the connection instead of answering. */
        public boolean reset() {
            return abort && abortStatus == 0;
        }
    }

    private final FaultConfig config;

    public FaultInjector(FaultConfig config) {
        this.config = config;
    }

    /** The fault for this request, or null for none. */
    public Fault decide(HttpServerRequest request) {
        if (config.header() != null && request.getHeader(config.header()) == null) {
            return null;
        }
        return decide(ThreadLocalRandom.current());
    }

    Fault decide(RandomGenerator random) {
        long delay = 0;
        FaultConfig.DelayFault delayFault = config.delay();
        if (delayFault != null && random.nextDouble() < delayFault.ratio()) {
            long min = delayFault.min().toNanos();
            long max = delayFault.max().toNanos();
            delay = max > min ? min + random.nextLong(max - min + 1) : min;
        }
        FaultConfig.AbortFault abortFault = config.abort();
        boolean abort = abortFault != null && random.nextDouble() < abortFault.ratio();
        if (delay == 0 && !abort) {
            return null;
        }
        return new Fault(delay, abort, abort ? abortFault.status() : 0);
    }
}
