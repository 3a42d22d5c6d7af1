package dev.rampart.gateway.proxy;

import dev.rampart.core.config.AccessLogConfig;
import dev.rampart.gateway.logging.JsonText;
import dev.rampart.gateway.logging.Rfc3339;
import dev.rampart.gateway.logging.StdoutSink;

/**
 * One JSON line per request (rule 2). Headers are never logged, so Authorization, Cookie and configured secret
 * headers cannot leak; the query string is dropped unless the config asks for it.
 */
public final class AccessLog {
    private final String service;
    private final AccessLogConfig config;
    private final StdoutSink sink;

    public AccessLog(String service, AccessLogConfig config, StdoutSink sink) {
        this.service = service;
        this.config = config;
        this.sink = sink;
    }

    public boolean includeQuery() {
        return config.includeQuery();
    }

    /** The facts about one finished request. */
    public record Entry(long startEpochMillis, String route, String method, String path, int status,
                        long durationNanos, String upstream, int upstreamStatus, long bytesIn, long bytesOut,
                        String requestId, String clientIp, String errorCode) {
    }

    public void write(Entry e) {
        if (!config.enabled()) {
            return;
        }
        sink.offer(format(service, e));
    }

    static String format(String service, Entry e) {
        StringBuilder out = new StringBuilder(384).append("{\"timestamp\":\"");
        Rfc3339.append(out, e.startEpochMillis()).append('"');
        out.append(",\"level\":\"").append(e.status() >= 500 ? "ERROR" : e.status() >= 400 ? "WARN" : "INFO").append('"');
        out.append(",\"logger\":\"rampart.access\"");
        JsonText.field(out, "service", service);
        JsonText.field(out, "route", e.route());
        JsonText.field(out, "method", e.method());
        JsonText.field(out, "path", e.path());
        JsonText.field(out, "status", e.status());
        long micros = e.durationNanos() / 1000;
        out.append(",\"duration_ms\":").append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            out.append('0');
        }
        if (frac < 10) {
            out.append('0');
        }
        out.append(frac);
        JsonText.field(out, "upstream", e.upstream());
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
        return out.append('}').toString();
    }
}
