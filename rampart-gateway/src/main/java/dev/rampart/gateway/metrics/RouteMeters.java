package dev.rampart.gateway.metrics;

import dev.rampart.gateway.observe.ExchangeRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one (route, upstream) pair. Built on the pair's first request; after that, recording a request
 * touches only fields and array slots, never a registry lookup or a label string.
 */
final class RouteMeters {
    private static final int STATUS_CLASSES = RequestLabels.STATUS_CLASSES.size();

    private final MeterRegistry registry;
    private final Tags tags;
    /** An adder, not an atomic: every event loop changes it on every request, and it is read only when scraped. */
    private final LongAdder inFlight = new LongAdder();
    private final AtomicReferenceArray<Counter> requests =
            new AtomicReferenceArray<>(RequestLabels.METHODS.size() * STATUS_CLASSES);
    private final AtomicReferenceArray<Counter> errors = new AtomicReferenceArray<>(RequestLabels.ERROR_CODES.size());
    private final DistributionDataPoint duration;
    private final Counter bytesIn;
    private final Counter bytesOut;
    /** Null for requests that matched no route: they never go upstream. */
    private final DistributionDataPoint upstreamDuration;
    private final DistributionDataPoint connectDuration;
    private final DistributionDataPoint queueDuration;

    RouteMeters(MeterRegistry registry, RequestHistograms histograms, String route, String upstream) {
        this.registry = registry;
        this.tags = Tags.of("route", route, "upstream", upstream);
        boolean routed = !RequestLabels.NONE.equals(route);
        if (routed) {
            Gauge.builder("rampart.requests.in.flight", inFlight, LongAdder::sum)
                    .description("Requests routed to an upstream and not finished yet")
                    .tags(tags).strongReference(true).register(registry);
        }
        bytesIn = Counter.builder("rampart.request.body").baseUnit("bytes")
                .description("Request body bytes received from clients").tags(tags).register(registry);
        bytesOut = Counter.builder("rampart.response.body").baseUnit("bytes")
                .description("Response body bytes sent to clients").tags(tags).register(registry);
        duration = histograms.duration(route, upstream);
        upstreamDuration = routed ? histograms.upstreamDuration(route, upstream) : null;
        connectDuration = routed ? histograms.connectDuration(route, upstream) : null;
        queueDuration = routed ? histograms.queueDuration(route, upstream) : null;
    }

    void started() {
        inFlight.increment();
    }

    void finished(ExchangeRecord record) {
        requestCounter(RequestLabels.method(record.method()) * STATUS_CLASSES + RequestLabels.statusClass(record))
                .increment();
        duration.observe(RequestHistograms.seconds(record.durationNanos()));
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
            inFlight.decrement();
        }
        if (record.queueNanos() >= 0) {
            if (record.connectNanos() > 0) {
                connectDuration.observe(RequestHistograms.seconds(record.connectNanos()));
            } else {
                queueDuration.observe(RequestHistograms.seconds(record.queueNanos()));
            }
            if (record.upstreamNanos() >= 0) {
                upstreamDuration.observe(RequestHistograms.seconds(record.upstreamNanos()));
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
}
