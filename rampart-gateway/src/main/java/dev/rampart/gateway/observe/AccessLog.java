package dev.rampart.gateway.observe;

import dev.rampart.core.config.AccessLogConfig;
import dev.rampart.gateway.logging.JsonText;
import dev.rampart.gateway.logging.Rfc3339;
import dev.rampart.gateway.logging.StdoutSink;

/**
 * One JSON line per request (rule 2). Headers are never logged, so Authorization, Cookie and configured secret
 * headers cannot leak; the query string is dropped unless the config asks for it.
 */
public final class AccessLog implements ExchangeListener {
    private final String service;
    private final AccessLogConfig config;
    private final StdoutSink sink;

    public AccessLog(String service, AccessLogConfig config, StdoutSink sink) {
        this.service = service;
        this.config = config;
        this.sink = sink;
    }

    @Override
    public void finished(ExchangeRecord record) {
        if (config.enabled()) {
            sink.offer(format(service, config.includeQuery(), record));
        }
    }

    static String format(String service, boolean includeQuery, ExchangeRecord e) {
        StringBuilder out = new StringBuilder(640).append("{\"timestamp\":\"");
        Rfc3339.append(out, e.startEpochMillis()).append('"');
        out.append(",\"level\":\"").append(e.status() >= 500 ? "ERROR" : e.status() >= 400 ? "WARN" : "INFO").append('"');
        out.append(",\"logger\":\"rampart.access\"");
        JsonText.field(out, "service", service);
        JsonText.field(out, "route", e.route());
        JsonText.field(out, "method", e.method());
        JsonText.field(out, "path", includeQuery && e.query() != null ? e.path() + '?' + e.query() : e.path());
        JsonText.field(out, "status", e.status());
        millis(out, "duration_ms", e.durationNanos());
        JsonText.field(out, "upstream", e.endpoint());
        if (e.upstreamStatus() > 0) {
            JsonText.field(out, "upstream_status", e.upstreamStatus());
        } else {
            out.append(",\"upstream_status\":null");
        }
        JsonText.field(out, "bytes_in", e.bytesIn());
        JsonText.field(out, "bytes_out", e.bytesOut());
        JsonText.field(out, "request_id", e.requestId());
        JsonText.field(out, "client_ip", e.clientIp());
        JsonText.field(out, "error_code", e.errorCode());
        millis(out, "queue_ms", e.queueNanos());
        millis(out, "upstream_connect_ms", e.connectNanos());
        millis(out, "upstream_ttfb_ms", e.firstByteNanos());
        if (e.traceId() != null) {
            JsonText.field(out, "trace_id", e.traceId());
            JsonText.field(out, "span_id", e.spanId());
        }
        return out.append('}').toString();
    }

    /** {@code ,"name":12.345} with microsecond precision, or {@code null} for a negative (unmeasured) value. */
    private static void millis(StringBuilder out, String name, long nanos) {
        out.append(",\"").append(name).append("\":");
        if (nanos < 0) {
            out.append("null");
            return;
        }
        JsonText.millis(out, nanos);
    }
}
