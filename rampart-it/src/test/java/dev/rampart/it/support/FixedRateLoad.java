package dev.rampart.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GET requests sent to several targets at a fixed rate each, whatever the answers and however long they take (an
 * open loop, as independent callers behave): each request is sent when it is due, not when the one before returned.
 * The targets' schedules are spread evenly over one period, so that together they offer a steady stream. Every
 * request is recorded with when it was due and how it was answered.
 */
public final class FixedRateLoad {
    /**
     * One request: the target it went to (its index), when it was due (nanoseconds after the load started) and the
     * status it got, or -1 when it got no answer ({@code failure} then says why).
     */
    public record Answer(int target, long dueNanos, int status, String failure) {
        public Duration due() {
            return Duration.ofNanos(dueNanos);
        }
    }

    private final ScheduledExecutorService scheduler;
    private final List<CompletableFuture<Answer>> answers = new CopyOnWriteArrayList<>();
    private final Duration duration;
    private final AtomicInteger running;

    private FixedRateLoad(List<URI> targets, double perSecondEach, Duration duration, HttpClient client) {
        this.duration = duration;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rampart-it-fixed-rate-load");
            thread.setDaemon(true);
            return thread;
        });
        long periodNanos = Math.round(TimeUnit.SECONDS.toNanos(1) / perSecondEach);
        long perTarget = duration.toNanos() / periodNanos;
        this.running = new AtomicInteger(targets.size());
        long start = System.nanoTime();
        for (int t = 0; t < targets.size(); t++) {
            int target = t;
            URI uri = targets.get(t);
            long phase = periodNanos * t / targets.size();
            AtomicInteger sent = new AtomicInteger();
            scheduler.scheduleAtFixedRate(() -> {
                int n = sent.getAndIncrement();
                if (n >= perTarget) {
                    if (n == perTarget) {
                        running.decrementAndGet();
                    }
                    return;
                }
                long due = phase + n * periodNanos;
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
                answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .handle((response, failure) -> response != null
                                ? new Answer(target, due, response.statusCode(), null)
                                : new Answer(target, due, -1, String.valueOf(failure))));
            }, start + phase - System.nanoTime(), periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Starts sending {@code perSecondEach} requests a second to each target for {@code duration}.
     *
     * @param client sends the requests; the harness's own ({@link RampartProcess#httpClient()}) does
     */
    public static FixedRateLoad start(HttpClient client, List<URI> targets, double perSecondEach, Duration duration) {
        Objects.requireNonNull(client, "client");
        if (targets.isEmpty() || perSecondEach <= 0) {
            throw new IllegalArgumentException("targets: " + targets + ", perSecondEach: " + perSecondEach
                    + " (expected: at least one target and a positive rate)");
        }
        return new FixedRateLoad(List.copyOf(targets), perSecondEach, duration, client);
    }

    /** Waits until every request was sent and answered; returns them in the order they were sent. */
    public List<Answer> awaitAnswers() {
        long deadline = System.nanoTime() + duration.toNanos() + TimeUnit.SECONDS.toNanos(20);
        try {
            while (running.get() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the load did not finish sending in time");
                }
                Thread.sleep(20);
            }
            scheduler.shutdownNow();
            List<Answer> all = new ArrayList<>();
            for (CompletableFuture<Answer> answer : answers) {
                all.add(answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new AssertionError("requests of the load were not answered in time", e);
        } catch (ExecutionException e) {
            throw new AssertionError("a request of the load failed unexpectedly", e.getCause());
        } finally {
            scheduler.shutdownNow();
        }
    }
}
