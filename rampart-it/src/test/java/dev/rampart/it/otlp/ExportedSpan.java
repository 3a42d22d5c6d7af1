package dev.rampart.it.otlp;

import java.util.Map;

/**
 * One span as an OTLP collector received it, ids in lower-case hex as {@code traceparent} writes them. Attribute
 * values are {@code String}, {@code Boolean}, {@code Long}, {@code Double}, {@code byte[]}, {@code List} or
 * {@code Map}, as their OTLP {@code AnyValue} says.
 *
 * @param parentSpanId empty for a root span
 * @param resource     the attributes of the resource that sent the span, e.g. {@code service.name}
 */
public record ExportedSpan(String traceId, String spanId, String parentSpanId, String traceState, String name,
                           Kind kind, long startEpochNanos, long endEpochNanos, Map<String, Object> attributes,
                           Status status, String statusMessage, String scopeName, Map<String, Object> resource) {

    /** OTLP's {@code SpanKind}, in its numbering. */
    public enum Kind { UNSPECIFIED, INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER }

    /** OTLP's {@code Status.StatusCode}, in its numbering. */
    public enum Status { UNSET, OK, ERROR }

    public boolean isRoot() {
        return parentSpanId.isEmpty();
    }

    public boolean isChildOf(ExportedSpan parent) {
        return traceId.equals(parent.traceId) && parentSpanId.equals(parent.spanId);
    }

    @Override
    public String toString() {
        return kind + " '" + name + "' trace=" + traceId + " span=" + spanId + " parent=" + parentSpanId + " status="
                + status + " " + attributes;
    }
}
