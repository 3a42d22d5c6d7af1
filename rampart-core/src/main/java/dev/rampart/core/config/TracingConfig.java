package dev.rampart.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * OpenTelemetry tracing. Without an endpoint no span is exported (incoming trace context is still passed on).
 *
 * @param endpoint      the OTLP/HTTP traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces}; null = export off
 * @param sampleRatio   share of new traces sampled, 0..1; a sampled incoming parent is always followed
 * @param exportTimeout bound on one export call to the collector
 * @param maxQueueSize  spans waiting for export; beyond it spans are dropped (and counted), never waited for
 * @param exportInterval how long finished spans wait to be sent together (a full batch of 512 goes at once)
 * @param propagators   the header formats read and written; W3C trace context when nothing else is configured
 */
public record TracingConfig(URI endpoint, double sampleRatio, Duration exportTimeout, int maxQueueSize,
                            Duration exportInterval, Set<TracePropagation> propagators) {
    public static final double DEFAULT_SAMPLE_RATIO = 0.01;
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_EXPORT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;
    /** OpenTelemetry's own default: each export call costs far more than the spans in it, so fewer and fuller. */
    public static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MIN_EXPORT_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_EXPORT_INTERVAL = Duration.ofSeconds(60);

    public static final Set<TracePropagation> DEFAULT_PROPAGATORS = Set.of(TracePropagation.TRACECONTEXT);

    public TracingConfig {
        exportInterval = exportInterval == null ? DEFAULT_EXPORT_INTERVAL : exportInterval;
        propagators = propagators == null || propagators.isEmpty() ? DEFAULT_PROPAGATORS
                : java.util.Collections.unmodifiableSet(EnumSet.copyOf(propagators));
    }

    /** W3C trace context only, the default export interval. */
    public TracingConfig(URI endpoint, double sampleRatio, Duration exportTimeout, int maxQueueSize) {
        this(endpoint, sampleRatio, exportTimeout, maxQueueSize, DEFAULT_EXPORT_INTERVAL, DEFAULT_PROPAGATORS);
    }

    public static TracingConfig defaults() {
        return new TracingConfig(null, DEFAULT_SAMPLE_RATIO, DEFAULT_EXPORT_TIMEOUT, DEFAULT_MAX_QUEUE_SIZE);
    }

    public boolean exportEnabled() {
        return endpoint != null;
    }
}
