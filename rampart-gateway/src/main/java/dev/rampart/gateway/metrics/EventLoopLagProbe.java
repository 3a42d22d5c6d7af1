package dev.rampart.gateway.metrics;

import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late an event loop runs a timer: a loop busy with other work (or blocked, which must never happen)
 * runs it late by that much, and so does every request waiting on it. Runs on the loop it measures and never
 * blocks; re-arms itself from the time it actually ran, so one long stall is one late sample, not a burst.
 */
final class EventLoopLagProbe implements Runnable {
    private final EventExecutor loop;
    private final Timer lag;
    private final long intervalNanos;
    private volatile boolean stopped;
    private long dueNanos;

    EventLoopLagProbe(EventExecutor loop, Timer lag, long intervalNanos) {
        this.loop = loop;
        this.lag = lag;
        this.intervalNanos = intervalNanos;
    }

    void start() {
        arm(System.nanoTime());
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        lag.record(Math.max(0, now - dueNanos), TimeUnit.NANOSECONDS);
        arm(now);
    }

    private void arm(long now) {
        if (loop.isShuttingDown()) {
            return;
        }
        dueNanos = now + intervalNanos;
        try {
            loop.schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // Vert.x is closing: nothing left to measure
        }
    }
}
