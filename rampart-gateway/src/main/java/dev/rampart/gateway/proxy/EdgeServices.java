package dev.rampart.gateway.proxy;

import dev.rampart.core.config.StateConfig;
import dev.rampart.gateway.cache.ResponseCache;
import dev.rampart.gateway.edge.DetachedCalls;
import dev.rampart.gateway.edge.SideEffectSwitch;
import dev.rampart.gateway.idempotency.IdempotencyStore;
import dev.rampart.gateway.observe.EdgeListener;

/** What every request shares at the edge: the response cache, idempotency records and the pause switch. */
public record EdgeServices(ResponseCache cache, IdempotencyStore idempotency, SideEffectSwitch switches,
                           DetachedCalls detached, EdgeListener listener) {

    /** In-process stores only, no metrics: for tests and embedded use. */
    public static EdgeServices local() {
        return new EdgeServices(new ResponseCache(StateConfig.DEFAULT_CACHE_MEMORY, null),
                new IdempotencyStore(StateConfig.DEFAULT_IDEMPOTENCY_MEMORY, null),
                new SideEffectSwitch(), new DetachedCalls(), EdgeListener.NONE);
    }
}
