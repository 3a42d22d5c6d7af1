package dev.rampart.gateway.state;

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

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The one Redis connection pool every shared state (rate-limit cells, cache entries, idempotency records) goes
 * through. Every call is bounded by the configured timeout. Calls that fail or are late, several in a row, mark Redis
 * down: from then on no request waits on it, callers use their fallback at once, and a probe every second (PING,
 * then whatever the users need re-done on a fresh Redis, such as loading scripts) brings it back.
 */
public final class SharedRedis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedRedis.class);
    private static final long PROBE_INTERVAL_MILLIS = 1_000;
    /** Failed or late calls in a row before Redis counts as down: one slow call does not switch every route. */
    public static final int FAILURES_TO_MARK_DOWN = 3;

    private final Vertx vertx;
    private final Redis redis;
    private final long timeoutMillis;
    private final String keyPrefix;
    private final String label;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final LongAdder failures = new LongAdder();
    private final List<Supplier<Future<?>>> onReconnect = new CopyOnWriteArrayList<>();
    private volatile String lastProblem;
    private final long probeTimer;
    private volatile boolean closed;

    public SharedRedis(Vertx vertx, RedisStateConfig config) {
        this.vertx = vertx;
        this.timeoutMillis = Math.max(1, config.timeout().toMillis());
        this.keyPrefix = config.keyPrefix();
        this.label = config.url().getHost() + ":" + (config.url().getPort() < 0 ? 6379 : config.url().getPort());
        this.redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(config.url().toString())
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(1024)
                .setMaxWaitingHandlers(4096));
        this.probeTimer = vertx.setPeriodic(PROBE_INTERVAL_MILLIS, id -> probe());
    }

    /** {@code host:port}, for logs and the readiness report. */
    public String label() {
        return label;
    }

    /** Prepended to every key Rampart writes. */
    public String keyPrefix() {
        return keyPrefix;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** Whether calls go to Redis now (false: callers fall back until a probe finds it back). */
    public boolean up() {
        return up.get();
    }

    /** What made Redis count as down the last time, or null. */
    public String lastProblem() {
        return lastProblem;
    }

    /** Calls that failed or were late, since start. */
    public long failures() {
        return failures.sum();
    }

    /** Work re-done by each probe before Redis counts as up again (e.g. loading a script into a restarted Redis). */
    public void onReconnect(Supplier<Future<?>> step) {
        onReconnect.add(step);
    }

    /**
     * One call, bounded by the timeout. A failure counts towards marking Redis down unless the caller says it is a
     * reply Redis gave on purpose ({@code expectedError}: e.g. NOSCRIPT), which proves Redis is there.
     */
    public Future<Response> send(Request request) {
        if (!up.get()) {
            return Future.failedFuture("redis is down");
        }
        return sendEvenIfDown(request, timeoutMillis);
    }

    /** A call that does not check whether Redis is up, with its own bound (probes, script loads, admin purges). */
    public Future<Response> sendEvenIfDown(Request request, long timeout) {
        return redis.send(request).timeout(timeout, TimeUnit.MILLISECONDS)
                .andThen(ar -> {
                    if (ar.succeeded()) {
                        failuresInARow.set(0);
                    }
                });
    }

    /** A call failed or was late: counted, and after a few in a row Redis is marked down. */
    public void failed(Throwable cause) {
        String problem = String.valueOf(cause.getMessage());
        failures.increment();
        lastProblem = problem;
        if (failuresInARow.incrementAndGet() >= FAILURES_TO_MARK_DOWN && up.compareAndSet(true, false)) {
            log.atWarn().addKeyValue("redis", label).addKeyValue("problem", problem)
                    .log("redis unavailable: rate limits follow each route's on-redis-failure, the cache and "
                            + "idempotency keys use this instance's memory, until it answers again");
        }
    }

    /** Whether a failure is Redis answering with an error (it is there) rather than not answering. */
    public static boolean isReply(Throwable cause) {
        String message = cause.getMessage();
        return message != null && (message.startsWith("NOSCRIPT") || message.startsWith("ERR")
                || message.startsWith("WRONGTYPE"));
    }

    private void probe() {
        if (closed || up.get()) {
            return;
        }
        long timeout = Math.max(timeoutMillis, 250);
        Future<?> ready = sendEvenIfDown(Request.cmd(Command.PING), timeout);
        for (Supplier<Future<?>> step : onReconnect) {
            ready = ready.compose(v -> step.get().timeout(timeout, TimeUnit.MILLISECONDS));
        }
        ready.onSuccess(v -> {
            failuresInARow.set(0);
            if (up.compareAndSet(false, true)) {
                log.atInfo().addKeyValue("redis", label).log("redis available again: shared state goes through it");
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(probeTimer);
        redis.close();
    }
}
