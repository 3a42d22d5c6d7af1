package dev.rampart.demo.internal;

import dev.rampart.demo.internal.FaultPlan.Fault;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests a demo service received, and what its knobs did to them, since it started or was last reset
 * ({@code GET /_demo/stats}). Drills divide these by what the client sent to see how much a gateway multiplied the
 * traffic. {@code /healthz} and the {@code /_demo/*} control paths are never counted.
 */
public final class RequestCounts {

    private final LongAdder requests = new LongAdder();
    private final Map<Fault, LongAdder> byFault = new EnumMap<>(Fault.class);

    public RequestCounts() {
        for (Fault fault : Fault.values()) {
            byFault.put(fault, new LongAdder());
        }
    }

    /** A request arrived; counted before its knobs are read, so that a refused one counts too. */
    public void arrived() {
        requests.increment();
    }

    /** What the knobs decided for a request already counted by {@link #arrived()}. */
    public void decided(Fault fault) {
        byFault.get(fault).increment();
    }

    /** The counts as JSON: {@code {"requests": n, "outcomes": {"ok": n, "reset": n, "hang": n, …}}}. */
    public JsonObject toJson() {
        return toJson(false);
    }

    /**
     * The counts as {@link #toJson()} shows them, zeroing each as it is read. Requests arriving meanwhile are counted
     * either here or after, never lost.
     */
    public JsonObject resetToJson() {
        return toJson(true);
    }

    private JsonObject toJson(boolean reset) {
        JsonObject outcomes = new JsonObject();
        for (Map.Entry<Fault, LongAdder> entry : byFault.entrySet()) {
            long count = reset ? entry.getValue().sumThenReset() : entry.getValue().sum();
            outcomes.put(outcomeName(entry.getKey()), count);
        }
        long total = reset ? requests.sumThenReset() : requests.sum();
        return new JsonObject().put("requests", total).put("outcomes", outcomes);
    }

    /** The snake_case name of a fault, as the stats and the demo's access log show it: {@code ok} for none. */
    public static String outcomeName(Fault fault) {
        return fault == Fault.NONE ? "ok" : fault.name().toLowerCase(Locale.ROOT);
    }
}
