package dev.rampart.gateway.observe;

import dev.rampart.core.config.AccessLogConfig;
import dev.rampart.gateway.logging.JsonText;
import dev.rampart.gateway.logging.Rfc3339;
import dev.rampart.gateway.logging.StdoutSink;
import io.vertx.core.internal.ContextInternal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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

    /** Lines formatted on one event loop, handed to the sink together: one hand-over per batch, not per line. */
    private static final class Batch {
        final StringBuilder lines = new StringBuilder(BATCH_BYTES + 1024);
        boolean flushScheduled;
    }

    private static final int BATCH_BYTES = 32 * 1024;
    // Lines wait at most this long on a quiet loop. Each hand-over wakes the writer thread, which shares the cores with
    // the event loops: at 2 ms a loop handed over 500 times a second; at 20 ms a busy loop fills 32 KiB batches first.
    private static final long BATCH_DELAY_MILLIS = 20;
    private final List<Batch> allBatches = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(() -> {
        Batch batch = new Batch();
        allBatches.add(batch);
        return batch;
    });

    @Override
    public void finished(ExchangeRecord record) {
        if (!config.enabled()) {
            return;
        }
        ContextInternal context = ContextInternal.current();
        if (context == null || !context.nettyEventLoop().inEventLoop()) {
            sink.offer(format(service, config.includeQuery(), record));
            return;
        }
        Batch batch = batches.get();
        boolean full;
        synchronized (batch) { // uncontended but for flushAll at shutdown
            append(batch.lines, service, config.includeQuery(), record).append('\n');
            full = batch.lines.length() >= BATCH_BYTES;
        }
        if (full) {
            flush(batch);
        } else if (!batch.flushScheduled) {
            // a quiet moment must not hold lines back: they go out within BATCH_DELAY_MILLIS anyway
            batch.flushScheduled = true;
            context.nettyEventLoop().schedule(() -> {
                batch.flushScheduled = false;
                flush(batch);
            }, BATCH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void flush(Batch batch) {
        synchronized (batch) {
            if (batch.lines.length() > 0) {
                sink.offerLines(batch.lines.toString());
                batch.lines.setLength(0);
            }
        }
    }

    /** Hands every pending line to the sink: at shutdown, when the event loops' own flushes may never run. */
    public void flushAll() {
        allBatches.forEach(this::flush);
    }

    static String format(String service, boolean includeQuery, ExchangeRecord e) {
        return append(new StringBuilder(640), service, includeQuery, e).toString();
    }

    private static StringBuilder append(StringBuilder out, String service, boolean includeQuery, ExchangeRecord e) {
        out.append("{\"timestamp\":\"");
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
        JsonText.field(out, "attempts", e.attempts());
        if (e.fallback() != null) {
            JsonText.field(out, "fallback", e.fallback());
        }
        if (e.fault() != null) {
            JsonText.field(out, "fault", e.fault());
        }
        if (e.client() != null) {
            JsonText.field(out, "client", e.client());
        }
        if (e.rateLimit() != null) {
            JsonText.field(out, "rate_limit", e.rateLimit());
        }
        if (e.cache() != null) {
            JsonText.field(out, "cache", e.cache());
        }
        if (e.idempotency() != null) {
            JsonText.field(out, "idempotency", e.idempotency());
        }
        if (e.traceId() != null) {
            JsonText.field(out, "trace_id", e.traceId());
            JsonText.field(out, "span_id", e.spanId());
        }
        return out.append('}');
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
