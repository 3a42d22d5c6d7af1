package dev.rampart.gateway.edge;

import dev.rampart.gateway.state.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shares the pause switch through Redis: a pause or resume on one instance reaches every instance within a second,
 * and pauses outlive restarts (a restarted instance takes the published state before it would serve). The newest
 * change wins. While Redis is away each instance keeps its own state and publishes it once Redis is back, if it is
 * newer.
 */
public final class PauseSync {
    private static final Logger log = LoggerFactory.getLogger(PauseSync.class);
    static final long INTERVAL_MILLIS = 1_000;
    static final long STARTUP_READ_MILLIS = 2_000;
    /** Publishes a state only over an older one: two instances changing pauses at once end on the newer change. */
    private static final String PUBLISH_SCRIPT = """
            local v = redis.call('GET', KEYS[1])
            if v then
              local ok, state = pcall(cjson.decode, v)
              if ok and type(state) == 'table' and tonumber(state.changed_ms) and
                 tonumber(state.changed_ms) >= tonumber(ARGV[2]) then return 0 end
            end
            redis.call('SET', KEYS[1], ARGV[1])
            return 1""";

    private final SideEffectSwitch switches;
    private final SharedRedis redis;
    private final String key;

    private PauseSync(Vertx vertx, SideEffectSwitch switches, SharedRedis redis) {
        this.switches = switches;
        this.redis = redis;
        this.key = redis.keyPrefix() + "side-effects";
        switches.onChange(this::publish);
        vertx.setPeriodic(INTERVAL_MILLIS, id -> pull()); // stops with Vert.x
    }

    /** Starts sharing; completes once the published state (if any) was read, or Redis did not answer in time. */
    public static Future<PauseSync> start(Vertx vertx, SideEffectSwitch switches, SharedRedis redis) {
        PauseSync sync = new PauseSync(vertx, switches, redis);
        // a fresh process opens its first connection now: the usual per-call bound would be too short for it
        return redis.sendEvenIfDown(Request.cmd(Command.GET).arg(sync.key), STARTUP_READ_MILLIS)
                .map(value -> {
                    if (value != null) {
                        sync.read(value.toString());
                    }
                    return sync;
                })
                .recover(failure -> {
                    log.atWarn().addKeyValue("problem", String.valueOf(failure.getMessage()))
                            .log("side-effect pauses not read from redis at start: serving as unpaused until it "
                                    + "answers (checked every second)");
                    return Future.succeededFuture(sync);
                });
    }

    private Future<Void> pull() {
        if (!redis.up()) {
            return Future.succeededFuture();
        }
        return redis.send(Request.cmd(Command.GET).arg(key))
                .map(value -> {
                    if (value == null) {
                        if (switches.changedMillis() > 0) {
                            publish(); // ours is the only state there is (Redis restarted empty, or never had one)
                        }
                        return null;
                    }
                    read(value.toString());
                    return null;
                })
                .<Void>mapEmpty()
                .recover(failure -> {
                    redis.failed(failure);
                    return Future.succeededFuture();
                });
    }

    private void read(String text) {
        try {
            JsonObject state = new JsonObject(text);
            long changed = state.getLong("changed_ms", 0L);
            if (changed < switches.changedMillis()) {
                publish(); // this instance changed it more recently (while Redis was away)
                return;
            }
            Map<String, SideEffectSwitch.Pause> pauses = new LinkedHashMap<>();
            for (Object item : state.getJsonArray("pauses", new JsonArray())) {
                JsonObject p = (JsonObject) item;
                pauses.put(p.getString("scope"), new SideEffectSwitch.Pause(p.getString("scope"), p.getString("by"),
                        p.getString("reason"), p.getLong("since_ms"), p.getLong("retry_after_s")));
            }
            switches.adopt(pauses, changed);
        } catch (DecodeException | ClassCastException | NullPointerException damaged) {
            log.atWarn().addKeyValue("key", key).log("unreadable side-effect pause state in redis: ignored");
        }
    }

    private void publish() {
        JsonArray pauses = new JsonArray();
        for (SideEffectSwitch.Pause pause : switches.pauses().values()) {
            pauses.add(new JsonObject().put("scope", pause.scope()).put("by", pause.by()).put("reason", pause.reason())
                    .put("since_ms", pause.sinceMillis()).put("retry_after_s", pause.retryAfterSeconds()));
        }
        String state = new JsonObject().put("changed_ms", switches.changedMillis()).put("pauses", pauses).encode();
        if (!redis.up()) {
            return; // published by the first pull after Redis is back
        }
        redis.send(Request.cmd(Command.EVAL).arg(PUBLISH_SCRIPT).arg(1).arg(key).arg(state)
                .arg(switches.changedMillis())).onFailure(failure -> {
            redis.failed(failure);
            log.atWarn().addKeyValue("problem", String.valueOf(failure.getMessage()))
                    .log("side-effect pause not shared yet: redis did not take it; it is in force on this instance "
                            + "and is published once redis answers");
        });
    }
}
