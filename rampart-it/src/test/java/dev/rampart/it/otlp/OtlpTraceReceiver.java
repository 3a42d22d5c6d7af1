package dev.rampart.it.otlp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.awaitility.core.ConditionTimeoutException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import static org.awaitility.Awaitility.await;

/**
 * A minimal OpenTelemetry collector for tests: answers {@code POST /v1/traces} (OTLP/HTTP, protobuf) with 200 and
 * keeps every span it decoded, so a test can wait for the spans of one trace and look at them.
 */
public final class OtlpTraceReceiver implements AutoCloseable {
    public static final String TRACES_PATH = "/v1/traces";

    private final HttpServer server;
    private final List<ExportedSpan> spans = Collections.synchronizedList(new ArrayList<>());
    private final List<String> rejected = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger exports = new AtomicInteger();

    private OtlpTraceReceiver(Vertx vertx) {
        this.server = vertx.createHttpServer(new HttpServerOptions()).requestHandler(this::handle);
    }

    /** Listens on a free loopback port. */
    public static OtlpTraceReceiver start(Vertx vertx) {
        OtlpTraceReceiver receiver = new OtlpTraceReceiver(vertx);
        awaitFuture(receiver.server.listen(0, "127.0.0.1"), "the OTLP receiver did not start");
        return receiver;
    }

    /** The URL to configure as the gateway's {@code tracing.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort() + TRACES_PATH;
    }

    /** Every span received so far, in arrival order. */
    public List<ExportedSpan> spans() {
        synchronized (spans) {
            return List.copyOf(spans);
        }
    }

    public List<ExportedSpan> spansOf(String traceId) {
        return spans().stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    /** How many export requests were accepted. */
    public int exportCount() {
        return exports.get();
    }

    /** Waits (up to 10 s) until at least {@code count} spans of the trace have arrived, and returns them all. */
    public List<ExportedSpan> awaitTrace(String traceId, int count) {
        try {
            return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> spansOf(traceId), received -> received.size() >= count);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("expected " + count + " span(s) of trace " + traceId
                    + " at the OTLP receiver within 10 s; received " + exports.get() + " export(s): " + spans()
                    + (rejected.isEmpty() ? "" : "; rejected: " + rejected), e);
        }
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST || !TRACES_PATH.equals(request.path())) {
            request.response().setStatusCode(404).end();
            return;
        }
        String encoding = request.getHeader("content-encoding");
        request.body().onComplete(body -> {
            if (body.failed()) {
                rejected.add("body not read: " + body.cause());
                return;
            }
            try {
                spans.addAll(TraceExportDecoder.decode(decompress(body.result(), encoding)));
                exports.incrementAndGet();
                // an empty ExportTraceServiceResponse: everything was accepted
                request.response().setStatusCode(200).putHeader("content-type", "application/x-protobuf").end();
            } catch (RuntimeException e) {
                rejected.add(e.toString());
                request.response().setStatusCode(400).end(e.toString());
            }
        });
    }

    private static byte[] decompress(Buffer body, String encoding) {
        if (encoding == null || encoding.equalsIgnoreCase("identity")) {
            return body.getBytes();
        }
        if (!encoding.equalsIgnoreCase("gzip")) {
            throw new IllegalArgumentException("content-encoding: " + encoding + " (expected: gzip or none)");
        }
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
            return gzip.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("gzip body", e);
        }
    }

    @Override
    public void close() {
        awaitFuture(server.close(), "the OTLP receiver did not close");
    }

    private static <T> T awaitFuture(Future<T> future, String failure) {
        try {
            return future.await(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(failure + " within 30 s", e);
        }
    }
}
