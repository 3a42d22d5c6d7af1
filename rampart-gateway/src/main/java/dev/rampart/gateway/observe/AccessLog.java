package dev.rampart.gateway.observe;

import dev.rampart.core.config.AccessLogConfig;
import dev.rampart.gateway.logging.JsonLineBuffer;
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
    private final class Batch {
        final JsonLineBuffer lines = new JsonLineBuffer(sink.borrow());
        int count;
        boolean flushScheduled;
    }

    private static final int BATCH_BYTES = StdoutSink.BUFFER_BYTES - 8 * 1024;
    // Lines wait at most this long on a quiet loop; a busy loop fills a batch first. Each hand-over costs a timer and a
    // queue lock (at 2 ms a loop handed over 500 times a second), and the writer then writes every 50 ms anyway.
    private static final long BATCH_DELAY_MILLIS = 50;
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
            JsonLineBuffer line = new JsonLineBuffer(640);
            append(line, service, config.includeQuery(), record).raw('\n');
            sink.offer(line.array(), line.length(), 1);
            return;
        }
        Batch batch = batches.get();
        boolean full;
        synchronized (batch) { // uncontended but for flushAll at shutdown
            append(batch.lines, service, config.includeQuery(), record).raw('\n');
            batch.count++;
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
            int length = batch.lines.length();
            if (length > 0) {
                sink.offer(batch.lines.swap(sink.borrow()), length, batch.count);
                batch.count = 0;
            }
        }
    }

    /** Hands every pending line to the sink: at shutdown, when the event loops' own flushes may never run. */
    public void flushAll() {
        allBatches.forEach(this::flush);
    }

    static String format(String service, boolean includeQuery, ExchangeRecord e) {
        return append(new JsonLineBuffer(640), service, includeQuery, e).toString();
    }

    private static final byte[] TIMESTAMP = JsonLineBuffer.ascii("{\"timestamp\":\"");
    private static final byte[] LEVEL_ERROR = JsonLineBuffer.ascii("\",\"level\":\"ERROR\"");
    private static final byte[] LEVEL_WARN = JsonLineBuffer.ascii("\",\"level\":\"WARN\"");
    private static final byte[] LEVEL_INFO = JsonLineBuffer.ascii("\",\"level\":\"INFO\"");
    private static final byte[] LOGGER = JsonLineBuffer.ascii(",\"logger\":\"rampart.access\"");
    private static final byte[] SERVICE = name("service");
    private static final byte[] ROUTE = name("route");
    private static final byte[] METHOD = name("method");
    private static final byte[] PATH = name("path");
    private static final byte[] STATUS = name("status");
    private static final byte[] DURATION = name("duration_ms");
    private static final byte[] UPSTREAM = name("upstream");
    private static final byte[] UPSTREAM_STATUS = name("upstream_status");
    private static final byte[] NULL = JsonLineBuffer.ascii("null");
    private static final byte[] BYTES_IN = name("bytes_in");
    private static final byte[] BYTES_OUT = name("bytes_out");
    private static final byte[] REQUEST_ID = name("request_id");
    private static final byte[] CLIENT_IP = name("client_ip");
    private static final byte[] ERROR_CODE = name("error_code");
    private static final byte[] QUEUE = name("queue_ms");
    private static final byte[] CONNECT = name("upstream_connect_ms");
    private static final byte[] FIRST_BYTE = name("upstream_ttfb_ms");
    private static final byte[] ATTEMPTS = name("attempts");
    private static final byte[] FALLBACK = name("fallback");
    private static final byte[] FAULT = name("fault");
    private static final byte[] CLIENT = name("client");
    private static final byte[] RATE_LIMIT = name("rate_limit");
    private static final byte[] CACHE = name("cache");
    private static final byte[] IDEMPOTENCY = name("idempotency");
    private static final byte[] TRACE_ID = name("trace_id");
    private static final byte[] SPAN_ID = name("span_id");

    private static byte[] name(String field) {
        return JsonLineBuffer.ascii(",\"" + field + "\":");
    }

    private static JsonLineBuffer append(JsonLineBuffer out, String service, boolean includeQuery, ExchangeRecord e) {
        out.raw(TIMESTAMP).timestamp(e.startEpochMillis());
        out.raw(e.status() >= 500 ? LEVEL_ERROR : e.status() >= 400 ? LEVEL_WARN : LEVEL_INFO);
        out.raw(LOGGER);
        out.raw(SERVICE).string(service);
        out.raw(ROUTE).string(e.route());
        out.raw(METHOD).string(e.method());
        out.raw(PATH).string(includeQuery && e.query() != null ? e.path() + '?' + e.query() : e.path());
        out.raw(STATUS).number(e.status());
        millis(out.raw(DURATION), e.durationNanos());
        out.raw(UPSTREAM).string(e.endpoint());
        out.raw(UPSTREAM_STATUS);
        if (e.upstreamStatus() > 0) {
            out.number(e.upstreamStatus());
        } else {
            out.raw(NULL);
        }
        out.raw(BYTES_IN).number(e.bytesIn());
        out.raw(BYTES_OUT).number(e.bytesOut());
        out.raw(REQUEST_ID).string(e.requestId());
        out.raw(CLIENT_IP).string(e.clientIp());
        out.raw(ERROR_CODE).string(e.errorCode());
        millis(out.raw(QUEUE), e.queueNanos());
        millis(out.raw(CONNECT), e.connectNanos());
        millis(out.raw(FIRST_BYTE), e.firstByteNanos());
        out.raw(ATTEMPTS).number(e.attempts());
        optional(out, FALLBACK, e.fallback());
        optional(out, FAULT, e.fault());
        optional(out, CLIENT, e.client());
        optional(out, RATE_LIMIT, e.rateLimit());
        optional(out, CACHE, e.cache());
        optional(out, IDEMPOTENCY, e.idempotency());
        if (e.traceId() != null) {
            out.raw(TRACE_ID).string(e.traceId());
            out.raw(SPAN_ID).string(e.spanId());
        }
        return out.raw('}');
    }

    private static void optional(JsonLineBuffer out, byte[] name, String value) {
        if (value != null) {
            out.raw(name).string(value);
        }
    }

    /** Milliseconds with microsecond precision, or {@code null} for a negative (unmeasured) value. */
    private static void millis(JsonLineBuffer out, long nanos) {
        if (nanos < 0) {
            out.raw(NULL);
        } else {
            out.millis(nanos);
        }
    }
}
