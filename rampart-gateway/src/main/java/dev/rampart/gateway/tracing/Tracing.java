package dev.rampart.gateway.tracing;

import dev.rampart.core.config.TracePropagation;
import dev.rampart.core.config.TracingConfig;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenTelemetry for the data plane: W3C trace context in and out, one server span per request and one client span
 * per upstream attempt, exported over OTLP/HTTP in batches from a bounded queue on the SDK's own thread, so a slow or
 * absent collector never touches a request. Without an export endpoint nothing is sampled, but every request still
 * gets trace and span ids, which the logs carry and the upstream receives.
 */
public final class Tracing implements AutoCloseable {
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("rampart.upstream.attempt");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private static final TextMapGetter<MultiMap> HEADERS_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final TextMapSetter<MultiMap> HEADERS_SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.set(key, value);
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final CountingExporter exporter;
    /** How a trace without a parent is sampled: never (nothing exported), or by ratio on its trace id. */
    private final Sampler rootSampler;

    private Tracing(SdkTracerProvider provider, CountingExporter exporter, Set<TracePropagation> propagation,
                    Sampler rootSampler) {
        this.provider = provider;
        this.tracer = provider.get("dev.rampart.gateway");
        this.exporter = exporter;
        this.propagator = propagator(propagation);
        this.rootSampler = rootSampler;
    }

    /**
     * The configured header formats. When a request carries several, W3C trace context wins: it is read last, and
     * what a later format finds replaces what an earlier one found.
     */
    static TextMapPropagator propagator(Set<TracePropagation> propagation) {
        List<TextMapPropagator> all = new ArrayList<>();
        if (propagation.contains(TracePropagation.B3_MULTI)) {
            all.add(B3Propagator.injectingMultiHeaders());
        }
        if (propagation.contains(TracePropagation.B3)) {
            all.add(B3Propagator.injectingSingleHeader());
        }
        if (propagation.contains(TracePropagation.TRACECONTEXT)) {
            all.add(W3CTraceContextPropagator.getInstance());
        }
        return all.size() == 1 ? all.get(0) : TextMapPropagator.composite(all);
    }

    /** Exports through the JDK's HTTP client: for tests and tools without a Vert.x instance. */
    public static Tracing create(String service, TracingConfig config) {
        return create(service, config, null);
    }

    /** Exports through {@code vertx}'s HTTP client when given one. */
    public static Tracing create(String service, TracingConfig config, Vertx vertx) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), service)));
        if (!config.exportEnabled()) {
            // the SDK hands out invalid (all-zero) spans when nothing would ever see them; a processor that does
            // nothing keeps real, unsampled ids flowing for the logs and the upstream
            return new Tracing(SdkTracerProvider.builder().setResource(resource)
                    // a caller's "sampled" decision still travels on to the upstream
                    .setSampler(Sampler.parentBased(Sampler.alwaysOff())).setIdGenerator(ChosenTraceIds.INSTANCE)
                    .addSpanProcessor(new DiscardingSpanProcessor()).build(), null, config.propagators(),
                    Sampler.alwaysOff());
        }
        OtlpHttpSpanExporterBuilder otlp = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.endpoint().toString())
                .setTimeout(config.exportTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .setConnectTimeout(Math.min(config.exportTimeout().toMillis(), 2000), TimeUnit.MILLISECONDS);
        if (vertx != null) {
            otlp.setComponentLoader(VertxOtlpSender.loader(vertx));
        }
        CountingExporter exporter = new CountingExporter(config.maxQueueSize(), otlp.build());
        BatchSpanProcessor batches = BatchSpanProcessor.builder(exporter)
                .setMaxQueueSize(config.maxQueueSize())
                .setMaxExportBatchSize(Math.min(512, config.maxQueueSize()))
                .setScheduleDelay(config.exportInterval().toMillis(), TimeUnit.MILLISECONDS)
                .setExporterTimeout(config.exportTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
        Sampler ratio = Sampler.traceIdRatioBased(config.sampleRatio());
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(ratio))
                .setIdGenerator(ChosenTraceIds.INSTANCE)
                .addSpanProcessor(new CountingSpanProcessor(batches, exporter))
                .build();
        return new Tracing(provider, exporter, config.propagators(), ratio);
    }

    /** The trace context a client sent, or the root context when it sent none (or a malformed one). */
    public Context extract(MultiMap headers) {
        return propagator.extract(Context.root(), headers, HEADERS_GETTER);
    }

    /**
     * The request's server span. Most requests are not sampled: they get a span that only carries ids (what the
     * SDK would hand out for them, without its span machinery), so that tracing costs them next to nothing. The
     * sampling decision is the configured sampler's: parent-based, and by ratio on the trace id at the root.
     */
    public Span startServerSpan(Context parent, String name, long startEpochNanos) {
        SpanContext parentContext = Span.fromContext(parent).getSpanContext();
        String traceId;
        if (parentContext.isValid()) {
            if (!parentContext.isSampled()) {
                return unsampled(parentContext.getTraceId(), parentContext.getTraceState());
            }
            traceId = null; // a sampled parent: the SDK records it, whatever the ratio
        } else {
            traceId = IDS.generateTraceId();
            if (rootSampler.shouldSample(parent, traceId, name, SpanKind.SERVER, Attributes.empty(), List.of())
                    .getDecision() == SamplingDecision.DROP) {
                return unsampled(traceId, TraceState.getDefault());
            }
            ChosenTraceIds.NEXT.set(traceId); // the SDK samples it again, by the same id, to the same decision
        }
        try {
            return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER)
                    .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS).startSpan();
        } finally {
            if (traceId != null) {
                ChosenTraceIds.NEXT.remove();
            }
        }
    }

    public Span startClientSpan(Span server, String name, int attempt) {
        SpanContext serverContext = server.getSpanContext();
        if (!server.isRecording() && !serverContext.isSampled()) {
            return unsampled(serverContext.getTraceId(), serverContext.getTraceState());
        }
        return tracer.spanBuilder(name).setParent(Context.root().with(server)).setSpanKind(SpanKind.CLIENT)
                .setAttribute(ATTEMPT, (long) attempt).startSpan();
    }

    private static Span unsampled(String traceId, TraceState traceState) {
        return Span.wrap(SpanContext.create(traceId, IDS.generateSpanId(), TraceFlags.getDefault(), traceState));
    }

    private static final IdGenerator IDS = IdGenerator.random();

    /** Random ids, except a root trace id this class chose (and sampled) itself, handed over on the same thread. */
    private static final class ChosenTraceIds implements IdGenerator {
        static final ChosenTraceIds INSTANCE = new ChosenTraceIds();
        static final ThreadLocal<String> NEXT = new ThreadLocal<>();

        @Override
        public String generateSpanId() {
            return IDS.generateSpanId();
        }

        @Override
        public String generateTraceId() {
            String chosen = NEXT.get();
            return chosen != null ? chosen : IDS.generateTraceId();
        }
    }

    /** Writes {@code traceparent}/{@code tracestate} for the given span into outgoing headers. */
    public void inject(Span span, MultiMap headers) {
        propagator.inject(Context.root().with(span), headers, HEADERS_SETTER);
    }

    /** Marks a span failed with a stable error type (an error code, never an exception message). */
    public static void fail(Span span, String errorType) {
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(ERROR_TYPE, errorType);
    }

    /**
     * Spans sampled, exported, lost in failed exports (collector down or slow), and at least this many dropped
     * because the export queue was full.
     */
    public record Counts(long ended, long exported, long exportFailed, long dropped) {
    }

    public Counts counts() {
        return exporter == null ? new Counts(0, 0, 0, 0) : exporter.counts();
    }

    public List<String> propagationFields() {
        return List.copyOf(propagator.fields());
    }

    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    /** Sees no span: only there so that the SDK creates real span contexts when nothing is exported. */
    private static final class DiscardingSpanProcessor implements io.opentelemetry.sdk.trace.SpanProcessor {
        @Override
        public void onStart(Context parentContext, io.opentelemetry.sdk.trace.ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
        }

        @Override
        public boolean isEndRequired() {
            return false;
        }
    }

    /** Counts what the batch processor hands to the exporter, so spans lost to a full queue can be told. */
    private static final class CountingExporter implements SpanExporter {
        private final SpanExporter delegate;
        private final long queueCapacity;
        private final AtomicLong ended = new AtomicLong();
        private final AtomicLong exported = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong handedOver = new AtomicLong();

        CountingExporter(long queueCapacity, SpanExporter delegate) {
            this.queueCapacity = queueCapacity;
            this.delegate = delegate;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int n = spans.size();
            handedOver.addAndGet(n);
            CompletableResultCode result = delegate.export(spans);
            result.whenComplete(() -> (result.isSuccess() ? exported : failed).addAndGet(n));
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }

        Counts counts() {
            long e = ended.get();
            // ended but never handed to the exporter: waiting in the queue (at most its capacity) or dropped
            long notHandedOver = e - handedOver.get();
            return new Counts(e, exported.get(), failed.get(), Math.max(0, notHandedOver - queueCapacity));
        }
    }

    /** Counts sampled spans as they end, then lets the batch processor queue them. */
    private static final class CountingSpanProcessor implements io.opentelemetry.sdk.trace.SpanProcessor {
        private final BatchSpanProcessor delegate;
        private final CountingExporter counts;

        CountingSpanProcessor(BatchSpanProcessor delegate, CountingExporter counts) {
            this.delegate = delegate;
            this.counts = counts;
        }

        @Override
        public void onStart(Context parentContext, io.opentelemetry.sdk.trace.ReadWriteSpan span) {
            delegate.onStart(parentContext, span);
        }

        @Override
        public boolean isStartRequired() {
            return delegate.isStartRequired();
        }

        @Override
        public void onEnd(ReadableSpan span) {
            if (span.getSpanContext().isSampled()) {
                counts.ended.incrementAndGet();
            }
            delegate.onEnd(span);
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }

        @Override
        public CompletableResultCode forceFlush() {
            return delegate.forceFlush();
        }
    }
}
