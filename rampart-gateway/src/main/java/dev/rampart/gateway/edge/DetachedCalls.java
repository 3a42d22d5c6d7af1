package dev.rampart.gateway.edge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upstream calls still running after their client left, so that their answer completes an idempotency record. A
 * graceful stop waits for them (within the drain timeout): a restart must not turn "the upstream acted but the
 * gateway never learnt it" into a second side effect when the client retries.
 */
public final class DetachedCalls {
    private final AtomicInteger running = new AtomicInteger();

    public void started() {
        running.incrementAndGet();
    }

    public void ended() {
        running.decrementAndGet();
    }

    public int running() {
        return running.get();
    }

    /** Completes once none is running, or after {@code timeoutMillis}, whichever comes first. */
    public Future<Void> idle(Vertx vertx, long timeoutMillis) {
        Promise<Void> idle = Promise.promise();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        check(vertx, idle, deadline);
        return idle.future();
    }

    private void check(Vertx vertx, Promise<Void> idle, long deadline) {
        if (running.get() <= 0 || System.nanoTime() >= deadline) {
            idle.tryComplete();
            return;
        }
        vertx.setTimer(50, id -> check(vertx, idle, deadline));
    }
}
