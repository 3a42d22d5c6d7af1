package dev.rampart.gateway.admission;

import dev.rampart.gateway.state.SharedRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Rate-limit cells shared by every Rampart instance in Redis. Each decision is atomic (a Lua GCRA over all of a
 * request's limits) and bounded by the shared connection's timeout; while Redis is down, callers use their fallback
 * at once.
 *
 * <p>The decisions an event loop asks for in one turn go to Redis together, as one script call decided in order:
 * under load that is one write, one read and one script run for many requests instead of one each, which is most of
 * what a Redis-backed limit costs on both sides. A lone request waits for nothing: its turn ends and it goes.
 */
public final class RedisCells {
    static final String SCRIPT = loadScript();
    /**
     * Decisions per script call at most; more in one turn go in several calls, which may travel on different pooled
     * connections and so be decided in any order relative to one another.
     */
    static final int MAX_BATCH = 64;

    /**
     * One decision: allowed, and per rate limit (in request order) remaining, reset and retry-after. A request
     * refused only for want of a place in flight has {@code tooManyConcurrent}; the rate limits had room, and it took
     * nothing from them.
     */
    public record Verdict(boolean allowed, boolean tooManyConcurrent, long[] remaining, long[] resetNanos,
                          long[] retryAfterNanos) {
    }

    /**
     * Places among requests in flight, shared by all instances: the sets (under the key prefix) and the most each
     * may hold, how long a place lasts if nobody gives it back, and the request's name in them.
     */
    public record InFlight(List<String> sets, int[] most, long leaseMicros, String member) {
    }

    /** A decision waiting for its batch to be sent and answered. */
    private record Pending(List<String> keys, long[] intervalMicros, long[] toleranceMicros, int cost,
                           InFlight inFlight, Promise<Verdict> answer) {
        int sets() {
            return inFlight == null ? 0 : inFlight.sets.size();
        }
    }

    /** Names this instance's requests in shared sets of places in flight; a counter tells its requests apart. */
    private static final String INSTANCE = java.util.UUID.randomUUID().toString();

    private final SharedRedis redis;
    private final java.util.concurrent.atomic.AtomicLong members = new java.util.concurrent.atomic.AtomicLong();
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);
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

    /** A name for one request's places in flight, unique across instances. */
    public String newMember() {
        return INSTANCE + ":" + members.incrementAndGet();
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
     * does not answer well within the timeout; the caller then falls back. On an event loop the answer comes on that
     * loop; the call goes out when the loop's current turn ends, with the other decisions of that turn.
     */
    public Future<Verdict> decide(List<String> keys, long[] intervalMicros, long[] toleranceMicros, int cost) {
        return decide(keys, intervalMicros, toleranceMicros, cost, null);
    }

    /** As above, and the request also needs a place in each of {@code inFlight}'s sets (null: none). */
    public Future<Verdict> decide(List<String> keys, long[] intervalMicros, long[] toleranceMicros, int cost,
                                  InFlight inFlight) {
        if (!redis.up()) {
            return Future.failedFuture("redis is down");
        }
        Pending pending = new Pending(keys, intervalMicros, toleranceMicros, cost, inFlight, Promise.promise());
        Context context = Vertx.currentContext();
        if (context != null && context.isEventLoopContext() && Context.isOnEventLoopThread()) {
            batches.get().add(pending, context);
        } else {
            send(List.of(pending), scriptSha);
        }
        return pending.answer.future();
    }

    /**
     * The decisions of one event loop's turn. Only that loop's thread touches it, and the batch is sent from that
     * thread, so Redis's answer (on the connection the pool gave this loop) completes each caller's future on it.
     */
    private final class Batch implements Handler<Void> {
        private List<Pending> pending = new ArrayList<>();
        private boolean flushQueued;

        void add(Pending decision, Context context) {
            pending.add(decision);
            if (pending.size() >= MAX_BATCH) {
                handle(null);
            } else if (!flushQueued) {
                flushQueued = true;
                context.runOnContext(this); // after the I/O this turn is handling: its requests join the batch
            }
        }

        @Override
        public void handle(Void ignored) {
            flushQueued = false;
            if (pending.isEmpty()) {
                return;
            }
            List<Pending> batch = pending;
            pending = new ArrayList<>();
            send(batch, scriptSha);
        }
    }

    /** One script call for the batch, by the script's digest when Redis has it, else by its body. */
    private void send(List<Pending> batch, String sha) {
        Request request = Request.cmd(sha != null ? Command.EVALSHA : Command.EVAL).arg(sha != null ? sha : SCRIPT);
        int keyCount = 0;
        for (Pending decision : batch) {
            keyCount += decision.keys.size() + decision.sets();
        }
        request.arg(keyCount);
        String prefix = redis.keyPrefix();
        for (Pending decision : batch) {
            for (String key : decision.keys) {
                request.arg(prefix + key);
            }
            for (int j = 0; j < decision.sets(); j++) {
                request.arg(prefix + decision.inFlight.sets.get(j));
            }
        }
        request.arg(batch.size());
        for (Pending decision : batch) {
            request.arg(decision.keys.size()).arg(decision.sets()).arg(decision.cost);
            for (int i = 0; i < decision.keys.size(); i++) {
                request.arg(decision.intervalMicros[i]).arg(decision.toleranceMicros[i]);
            }
            if (decision.sets() > 0) {
                for (int j = 0; j < decision.sets(); j++) {
                    request.arg(decision.inFlight.most[j]).arg(decision.inFlight.leaseMicros);
                }
                request.arg(decision.inFlight.member);
            }
        }
        redis.send(request).onComplete(ar -> {
            if (ar.succeeded()) {
                answer(batch, ar.result());
                return;
            }
            String problem = String.valueOf(ar.cause().getMessage());
            if (sha != null && problem.startsWith("NOSCRIPT")) {
                // Redis restarted, failed over or was flushed: it is fine, it only forgot the script. Send the body
                // this time (that also teaches it the script again) and load it for the next ones. Nothing of the
                // batch was decided: the script never ran.
                scriptSha = null;
                loadScriptIntoRedis();
                send(batch, null);
                return;
            }
            redis.failed(ar.cause());
            for (Pending decision : batch) {
                decision.answer.tryFail(ar.cause());
            }
        });
    }

    private static void answer(List<Pending> batch, Response response) {
        int at = 0;
        for (Pending decision : batch) {
            int limits = decision.keys.size();
            if (response.size() < at + 1 + 3 * limits) {
                decision.answer.tryFail("redis answered " + response.size() + " values for the batch, too few");
                continue;
            }
            long[] remaining = new long[limits];
            long[] reset = new long[limits];
            long[] retryAfter = new long[limits];
            long status = response.get(at).toLong();
            for (int i = 0; i < limits; i++) {
                remaining[i] = response.get(at + 1 + 3 * i).toLong();
                reset[i] = response.get(at + 2 + 3 * i).toLong() * 1_000;
                retryAfter[i] = response.get(at + 3 + 3 * i).toLong() * 1_000;
            }
            at += 1 + 3 * limits;
            decision.answer.tryComplete(new Verdict(status == 1, status == 2, remaining, reset, retryAfter));
        }
    }

    /**
     * Gives back a request's places in flight. Best effort: when Redis does not take it (down, late), the places
     * come free when their lease runs out.
     */
    public Future<?> release(InFlight inFlight) {
        if (!redis.up()) {
            return Future.succeededFuture();
        }
        String prefix = redis.keyPrefix();
        List<Future<Response>> removed = new ArrayList<>(inFlight.sets.size());
        for (String set : inFlight.sets) {
            removed.add(redis.send(Request.cmd(Command.ZREM).arg(prefix + set).arg(inFlight.member))
                    .onFailure(redis::failed));
        }
        return Future.all(removed);
    }

    private Future<Response> loadScriptIntoRedis() {
        return redis.sendEvenIfDown(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT),
                        Math.max(redis.timeoutMillis(), 1_000))
                .onSuccess(response -> scriptSha = response.toString());
    }
}
