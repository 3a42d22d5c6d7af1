package dev.rampart.gateway.tracing;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends OTLP/HTTP export calls through the gateway's own Vert.x HTTP client. The JDK client the SDK ships with
 * costs milliseconds of CPU per call: it runs a few times a minute, so its code stays cold (interpreted), and it
 * brings threads of its own. Vert.x's client is the proxy's hot path, already compiled, on the event loops.
 * The exporter marshals the spans on its own thread; only the bytes go through an event loop.
 */
final class VertxOtlpSender implements HttpSender {
    private static final int MAX_RESPONSE_BODY = 64 * 1024;

    private final HttpClient client;
    private final HttpSenderConfig config;
    private final RequestOptions request;

    private VertxOtlpSender(Vertx vertx, HttpSenderConfig config) {
        this.config = config;
        URI endpoint = config.getEndpoint();
        boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(tls)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.getConnectTimeout().toMillis()))
                .setIdleTimeout(30)
                .setKeepAlive(true);
        this.client = vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(2)).build();
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 80;
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        this.request = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.getHost()).setPort(port)
                .setURI(endpoint.getRawQuery() == null ? path : path + '?' + endpoint.getRawQuery())
                .setTimeout(config.getTimeout().toMillis())
                .setConnectTimeout(config.getConnectTimeout().toMillis());
    }

    /** Hands the exporter this sender instead of the one it would find on the class path. */
    static ComponentLoader loader(Vertx vertx) {
        HttpSenderProvider provider = config -> new VertxOtlpSender(vertx, config);
        ComponentLoader classPath = ComponentLoader.forClassLoader(VertxOtlpSender.class.getClassLoader());
        return new ComponentLoader() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Iterable<T> load(Class<T> spiClass) {
                return spiClass == HttpSenderProvider.class ? List.of((T) provider) : classPath.load(spiClass);
            }
        };
    }

    @Override
    public void send(MessageWriter message, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
        Buffer body;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(message.getContentLength(), 64));
            if (config.getCompressor() != null) {
                try (OutputStream compressed = config.getCompressor().compress(bytes)) {
                    message.writeMessage(compressed);
                }
            } else {
                message.writeMessage(bytes);
            }
            body = Buffer.buffer(bytes.toByteArray());
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
            return;
        }
        RequestOptions options = new RequestOptions(request)
                .putHeader(HttpHeaders.CONTENT_TYPE, config.getContentType());
        if (config.getCompressor() != null) {
            options.putHeader(HttpHeaders.CONTENT_ENCODING, config.getCompressor().getEncoding());
        }
        Map<String, List<String>> headers = config.getHeadersSupplier() == null ? null
                : config.getHeadersSupplier().get();
        if (headers != null) {
            headers.forEach((name, values) -> options.putHeader(name, new ArrayList<CharSequence>(values)));
        }
        client.request(options)
                .compose(req -> req.send(body))
                .compose(response -> response.body().map(bytes -> (HttpResponse) new Response(response.statusCode(),
                        response.statusMessage(), bytes.length() > MAX_RESPONSE_BODY
                        ? bytes.getBytes(0, MAX_RESPONSE_BODY) : bytes.getBytes())))
                .onComplete(done -> {
                    if (done.succeeded()) {
                        onResponse.accept(done.result());
                    } else {
                        onError.accept(done.cause());
                    }
                });
    }

    @Override
    public CompletableResultCode shutdown() {
        CompletableResultCode result = new CompletableResultCode();
        client.close().onComplete(done -> result.succeed());
        return result;
    }

    private record Response(int getStatusCode, String getStatusMessage, byte[] getResponseBody)
            implements HttpResponse {
    }
}
