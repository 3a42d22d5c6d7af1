package dev.rampart.core.config;

/** A trace-context header format Rampart reads from clients and writes to upstreams. */
public enum TracePropagation {
    /** W3C {@code traceparent} / {@code tracestate}. */
    TRACECONTEXT("tracecontext"),
    /** Zipkin B3, the single {@code b3} header. */
    B3("b3"),
    /** Zipkin B3, the {@code X-B3-TraceId}, {@code X-B3-SpanId}, {@code X-B3-Sampled} headers. */
    B3_MULTI("b3multi");

    private final String configName;

    TracePropagation(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
