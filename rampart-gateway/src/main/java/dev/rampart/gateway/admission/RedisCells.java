package dev.rampart.gateway.admission;

import dev.rampart.gateway.state.SharedRedis;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rate-limit cells shared by every Rampart instance in Redis: one atomic round trip per decision (a Lua GCRA over all
 * of a request's limits), each bounded by the shared connection's timeout. While Redis is down, callers use their
 * fallback at once.
 */
public final class RedisCells {
    static final String SCRIPT = loadScript();

    /** One decision: allowed, and per limit (in request order) remaining, reset and retry-after. */
    public record Verdict(boolean allowed, long[] remaining, long[] resetNanos, long[] retryAfterNanos) {
    }

    private final SharedRedis redis;
    private volatile String scriptSha;

    public RedisCells(SharedRedis redis) {
        this.redis = redis;
        loadScriptIntoRedis();
        redis.onReconnect(this::loadScriptIntoRedis); // a restarted Redis has forgotten it
    }

    private static String loadScript() {
        try (InputStream in = RedisCells.class.getResourceAsStream("gcra.lua")) {
            if (in == null) {
                throw new IllegalStateException("gcra.lua missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("gcra.lua unreadable", e);
        }
    }

    /** The connection the cells live on. */
    public SharedRedis connection() {
        return redis;
    }

    /** Whether decisions go to Redis now (false: callers fall back until a probe finds it back). */
    public boolean up() {
        return redis.up();
    }

    /**
     * Decides one request against cells {@code keys} with the given GCRA parameters (microseconds). Fails when Redis
     * does not answer well within the timeout; the caller then falls back.
     */
    public Future<Verdict> decide(List<String> keys, long[] intervalMicros, long[] toleranceMicros, int cost) {
        if (!redis.up()) {
            return Future.failedFuture("redis is down");
        }
        return call(keys, intervalMicros, toleranceMicros, cost, scriptSha);
    }

    /** One decision, by the script's digest when Redis has it, else by its body. */
    private Future<Verdict> call(List<String> keys, long[] intervalMicros, long[] toleranceMicros, int cost,
                                 String sha) {
        Request request = Request.cmd(sha != null ? Command.EVALSHA : Command.EVAL).arg(sha != null ? sha : SCRIPT)
                .arg(keys.size());
        for (String key : keys) {
            request.arg(redis.keyPrefix() + key);
        }
        request.arg(cost);
        for (int i = 0; i < keys.size(); i++) {
            request.arg(intervalMicros[i]).arg(toleranceMicros[i]);
        }
        return redis.send(request)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        return Future.succeededFuture(verdict(ar.result(), keys.size()));
                    }
                    String problem = String.valueOf(ar.cause().getMessage());
                    if (sha != null && problem.startsWith("NOSCRIPT")) {
                        // Redis restarted, failed over or was flushed: it is fine, it only forgot the script. Send
                        // the body this time (that also teaches it the script again) and load it for the next ones.
                        scriptSha = null;
                        loadScriptIntoRedis();
                        return call(keys, intervalMicros, toleranceMicros, cost, null);
                    }
                    redis.failed(ar.cause());
                    return Future.failedFuture(ar.cause());
                });
    }

    private static Verdict verdict(Response response, int limits) {
        long[] remaining = new long[limits];
        long[] reset = new long[limits];
        long[] retryAfter = new long[limits];
        for (int i = 0; i < limits; i++) {
            remaining[i] = response.get(1 + 3 * i).toLong();
            reset[i] = response.get(2 + 3 * i).toLong() * 1_000;
            retryAfter[i] = response.get(3 + 3 * i).toLong() * 1_000;
        }
        return new Verdict(response.get(0).toLong() == 1, remaining, reset, retryAfter);
    }

    private Future<Response> loadScriptIntoRedis() {
        return redis.sendEvenIfDown(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT),
                        Math.max(redis.timeoutMillis(), 1_000))
                .onSuccess(response -> scriptSha = response.toString());
    }
}
