package dev.rampart.gateway.edge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rule 16's pause switch: an operator pauses all side-effect routes, or one, and they answer 503 without touching
 * their upstream until resumed. Survives config reloads; every pause and resume is logged with who and why.
 * Thread-safe: the hot path reads one volatile map.
 */
public final class SideEffectSwitch {
    private static final Logger log = LoggerFactory.getLogger(SideEffectSwitch.class);
    /** The scope of a pause of every side-effect route. */
    public static final String ALL = "*";

    /**
     * One pause.
     *
     * @param scope             a route id, or {@link #ALL}
     * @param retryAfterSeconds what paused routes tell clients in {@code Retry-After}
     */
    public record Pause(String scope, String by, String reason, long sinceMillis, long retryAfterSeconds) {
    }

    private volatile Map<String, Pause> pauses = Map.of();
    /** When the pauses last changed (epoch ms), here or, through Redis, on another instance: the newer state wins. */
    private volatile long changedMillis;
    /** Called after every change made here (the Redis sync publishes it); never null. */
    private volatile Runnable onChange = () -> { };

    /** The pause that holds this route, or null; only routes marked {@code side-effects: true} are ever paused. */
    public Pause pausedFor(String routeId) {
        Map<String, Pause> now = pauses;
        if (now.isEmpty()) {
            return null;
        }
        Pause own = now.get(routeId);
        return own != null ? own : now.get(ALL);
    }

    /** Pauses one route (or {@link #ALL}); a pause already there is replaced, keeping who and why of the new one. */
    public synchronized Pause pause(String scope, String by, String reason, long retryAfterSeconds) {
        Pause pause = new Pause(scope, by, reason, System.currentTimeMillis(), retryAfterSeconds);
        Map<String, Pause> next = new LinkedHashMap<>(pauses);
        next.put(scope, pause);
        pauses = Map.copyOf(next);
        changedMillis = Math.max(changedMillis + 1, pause.sinceMillis());
        log.atWarn().addKeyValue("scope", scope).addKeyValue("by", by).addKeyValue("reason", reason)
                .addKeyValue("retry_after_s", retryAfterSeconds)
                .log(scope.equals(ALL) ? "side effects paused on every side-effect route"
                        : "side effects paused on one route");
        onChange.run();
        return pause;
    }

    /**
     * Lifts a pause. Resuming {@link #ALL} lifts every pause, the per-route ones too. Returns the pause lifted, or
     * null when there was none for this scope.
     */
    public synchronized Pause resume(String scope, String by, String reason) {
        Map<String, Pause> next = new LinkedHashMap<>(pauses);
        Pause lifted = scope.equals(ALL) ? next.get(ALL) : next.remove(scope);
        if (scope.equals(ALL)) {
            if (next.isEmpty()) {
                return null;
            }
            lifted = lifted != null ? lifted : next.values().iterator().next();
            next.clear();
        }
        if (lifted == null) {
            return null;
        }
        pauses = Map.copyOf(next);
        changedMillis = Math.max(changedMillis + 1, System.currentTimeMillis());
        log.atWarn().addKeyValue("scope", scope).addKeyValue("by", by).addKeyValue("reason", reason)
                .addKeyValue("paused_by", lifted.by()).addKeyValue("paused_for_s",
                        (System.currentTimeMillis() - lifted.sinceMillis()) / 1000)
                .log(scope.equals(ALL) ? "side effects resumed on every route" : "side effects resumed on one route");
        onChange.run();
        return lifted;
    }

    /** Every pause in force, by scope. */
    public Map<String, Pause> pauses() {
        return pauses;
    }

    public long changedMillis() {
        return changedMillis;
    }

    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /**
     * Takes the state another instance published, if it is newer than this one's. Logged when it changes what is
     * paused here, so that each instance's log tells when its routes stopped and started.
     */
    synchronized boolean adopt(Map<String, Pause> published, long publishedChangedMillis) {
        if (publishedChangedMillis <= changedMillis) {
            return false;
        }
        boolean differs = !published.equals(pauses);
        pauses = Map.copyOf(published);
        changedMillis = publishedChangedMillis;
        if (differs) {
            log.atWarn().addKeyValue("pauses", published.keySet().toString())
                    .log("side-effect pauses changed by another instance (shared through redis)");
        }
        return true;
    }
}
