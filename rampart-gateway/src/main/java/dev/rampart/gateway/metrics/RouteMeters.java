package dev.rampart.gateway.metrics;

import dev.rampart.gateway.observe.ExchangeRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one (route, upstream) pair. Built on the pair's first request; after that, recording a request
 * touches only fields and array slots, never a registry lookup or a label string.
 */
final class RouteMeters {
    /** Whole requests and upstream attempts: 1 ms to 30 s. */
    static final Duration[] REQUEST_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 20, 30);
    /** Connecting and queueing: usually well under a millisecond, bounded by the connect timeout. */
    static final Duration[] WAIT_BUCKETS = seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    private static final int STATUS_CLASSES = RequestLabels.STATUS_CLASSES.size();

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReferenceArray<Counter> requests =
            new AtomicReferenceArray<>(RequestLabels.METHODS.size() * STATUS_CLASSES);
    private final AtomicReferenceArray<Counter> errors = new AtomicReferenceArray<>(RequestLabels.ERROR_CODES.size());
    private final Timer duration;
    private final Counter bytesIn;
    private final Counter bytesOut;
    /** Null for requests that matched no route: they never go upstream. */
    private final Timer upstreamDuration;
    private final Timer connectDuration;
    private final Timer queueDuration;

    RouteMeters(MeterRegistry registry, String route, String upstream) {
        this.registry = registry;
        this.tags = Tags.of("route", route, "upstream", upstream);
        boolean routed = !RequestLabels.NONE.equals(route);
        if (routed) {
            Gauge.builder("rampart.requests.in.flight", inFlight, AtomicInteger::get)
                    .description("Requests routed to an upstream and not finished yet")
                    .tags(tags).strongReference(true).register(registry);
        }
        duration = histogram("rampart.request.duration", "Time from a request's arrival to its last response byte",
                REQUEST_BUCKETS);
        bytesIn = Counter.builder("rampart.request.body").baseUnit("bytes")
                .description("Request body bytes received from clients").tags(tags).register(registry);
        bytesOut = Counter.builder("rampart.response.body").baseUnit("bytes")
                .description("Response body bytes sent to clients").tags(tags).register(registry);
        upstreamDuration = routed ? histogram("rampart.upstream.request.duration",
                "Time from a connection to the upstream being obtained to the end of its response",
                REQUEST_BUCKETS) : null;
        connectDuration = routed ? histogram("rampart.upstream.connect.duration",
                "Time opening a new upstream connection (requests that reused a pooled connection are not counted)",
                WAIT_BUCKETS) : null;
        queueDuration = routed ? histogram("rampart.upstream.queue.duration",
                "Time waiting for a pooled upstream connection (requests that opened their own are not counted)",
                WAIT_BUCKETS) : null;
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished(ExchangeRecord record) {
        requestCounter(RequestLabels.method(record.method()) * STATUS_CLASSES + RequestLabels.statusClass(record))
                .increment();
        duration.record(record.durationNanos(), TimeUnit.NANOSECONDS);
        if (record.bytesIn() > 0) {
            bytesIn.increment(record.bytesIn());
        }
        if (record.bytesOut() > 0) {
            bytesOut.increment(record.bytesOut());
        }
        if (record.errorCode() != null) {
            errorCounter(RequestLabels.errorCode(record.errorCode())).increment();
        }
        if (upstreamDuration == null) {
            return;
        }
        // the exchange picks an endpoint right before it reports started(): a record without one was never started
        if (record.endpoint() != null) {
            inFlight.decrementAndGet();
        }
        if (record.queueNanos() >= 0) {
            if (record.connectNanos() > 0) {
                connectDuration.record(record.connectNanos(), TimeUnit.NANOSECONDS);
            } else {
                queueDuration.record(record.queueNanos(), TimeUnit.NANOSECONDS);
            }
            if (record.upstreamNanos() >= 0) {
                upstreamDuration.record(record.upstreamNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    private Counter requestCounter(int index) {
        Counter counter = requests.get(index);
        if (counter == null) {
            // a race builds the same counter twice: the registry hands both callers the one instance
            counter = Counter.builder("rampart.requests")
                    .description("Requests finished, by method and status class")
                    .tags(tags)
                    .tag("method", RequestLabels.METHODS.get(index / STATUS_CLASSES))
                    .tag("status_class", RequestLabels.STATUS_CLASSES.get(index % STATUS_CLASSES))
                    .register(registry);
            requests.set(index, counter);
        }
        return counter;
    }

    private Counter errorCounter(int index) {
        Counter counter = errors.get(index);
        if (counter == null) {
            counter = Counter.builder("rampart.request.errors")
                    .description("Requests that failed or were cut off, by error code (timeouts, resets, refusals)")
                    .tags(tags)
                    .tag("error_code", RequestLabels.ERROR_CODES.get(index))
                    .register(registry);
            errors.set(index, counter);
        }
        return counter;
    }

    private Timer histogram(String name, String description, Duration[] buckets) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(buckets)
                .publishPercentileHistogram(false)
                .register(registry);
    }

    private static Duration[] seconds(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return durations;
    }
}
