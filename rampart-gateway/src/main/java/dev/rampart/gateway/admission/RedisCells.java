package dev.rampart.gateway.admission;

import dev.rampart.core.config.RedisStateConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate-limit cells shared by every Rampart instance in Redis: one atomic round trip per decision (a Lua GCRA over all
 * of a request's limits), each bounded by the configured timeout. When a call fails or is late, Redis is marked down
 * and no further request waits on it: callers use their fallback while a probe every second looks for its return.
 */
public final class RedisCells implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisCells.class);
    private static final long PROBE_INTERVAL_MILLIS = 1_000;
    static final String SCRIPT = loadScript();

    /** One decision: allowed, and per limit (in request order) remaining, reset and retry-after. */
    public record Verdict(boolean allowed, long[] remaining, long[] resetNanos, long[] retryAfterNanos) {
    }

    private final Vertx vertx;
    private final Redis redis;
    private final long timeoutMillis;
    private final String keyPrefix;
    private final String redisLabel;
    /** Failed or late calls in a row before Redis counts as down: one slow call does not switch every route. */
    static final int FAILURES_TO_MARK_DOWN = 3;

    private final AtomicBoolean up = new AtomicBoolean(true);
    private final java.util.concurrent.atomic.AtomicInteger failuresInARow = new java.util.concurrent.atomic.AtomicInteger();
    private final LongAdder failures = new LongAdder();
    private volatile String scriptSha;
    private volatile String lastProblem;
    private long probeTimer = -1;
    private volatile boolean closed;

    public RedisCells(Vertx vertx, RedisStateConfig config) {
        this.vertx = vertx;
        this.timeoutMillis = Math.max(1, config.timeout().toMillis());
        this.keyPrefix = config.keyPrefix();
        this.redisLabel = config.url().getHost() + ":" + (config.url().getPort() < 0 ? 6379 : config.url().getPort());
        this.redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(config.url().toString())
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(1024)
                .setMaxWaitingHandlers(4096));
        loadScriptIntoRedis();
        probeTimer = vertx.setPeriodic(PROBE_INTERVAL_MILLIS, id -> probe());
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

    /** Whether decisions go to Redis now (false: callers fall back until a probe finds it back). */
    public boolean up() {
        return up.get();
    }

    /** {@code host:port}, for logs and the readiness report. */
    public String label() {
        return redisLabel;
    }

    /** What made Redis count as down the last time, or null. */
    public String lastProblem() {
        return lastProblem;
    }

    public long failures() {
        return failures.sum();
    }

    /**
     * Decides one request against cells {@code keys} with the given GCRA parameters (microseconds). Fails when Redis
     * does not answer well within the timeout; the caller then falls back.
     */
    public Future<Verdict> decide(List<String> keys, long[] intervalMicros, long[] toleranceMicros, int cost) {
        if (!up.get()) {
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
            request.arg(keyPrefix + key);
        }
        request.arg(cost);
        for (int i = 0; i < keys.size(); i++) {
            request.arg(intervalMicros[i]).arg(toleranceMicros[i]);
        }
        return redis.send(request)
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        failuresInARow.set(0);
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
                    markDown(problem);
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

    private void loadScriptIntoRedis() {
        redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
                .timeout(Math.max(timeoutMillis, 1_000), TimeUnit.MILLISECONDS)
                .onSuccess(response -> scriptSha = response.toString());
    }

    private void markDown(String problem) {
        failures.increment();
        lastProblem = problem;
        if (failuresInARow.incrementAndGet() >= FAILURES_TO_MARK_DOWN && up.compareAndSet(true, false)) {
            log.atWarn().addKeyValue("redis", redisLabel).addKeyValue("problem", problem)
                    .log("redis unavailable: rate limits use each route's fallback until it answers again");
        }
    }

    /** While down: a PING, then the script loaded afresh (a restarted Redis has forgotten it), then back up. */
    private void probe() {
        if (closed || up.get()) {
            return;
        }
        long timeout = Math.max(timeoutMillis, 250);
        redis.send(Request.cmd(Command.PING)).timeout(timeout, TimeUnit.MILLISECONDS)
                .compose(pong -> redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
                        .timeout(timeout, TimeUnit.MILLISECONDS))
                .onSuccess(sha -> {
                    scriptSha = sha.toString();
                    failuresInARow.set(0);
                    if (up.compareAndSet(false, true)) {
                        log.atInfo().addKeyValue("redis", redisLabel).log("redis available again: rate limits are "
                                + "shared through it");
                    }
                });
    }

    @Override
    public void close() {
        closed = true;
        if (probeTimer >= 0) {
            vertx.cancelTimer(probeTimer);
        }
        redis.close();
    }
}
