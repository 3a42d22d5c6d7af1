package dev.rampart.gateway.listener;

import dev.rampart.core.config.ListenConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.function.Consumer;

/**
 * One event loop's share of the client-facing listener. Several instances listen on the same port; Vert.x spreads
 * connections across them. Each connection gets Rampart's hardened decoder in place of Vert.x's lenient one.
 */
public final class ListenerVerticle extends VerticleBase {
    private final ListenConfig config;
    private final int port;
    private final Handler<HttpServerRequest> requests;
    private final Handler<HttpServerRequest> invalidRequests;
    private final Consumer<HttpServer> onListening;
    private final HardenedRequestDecoder.RawRejections rawRejections;

    public ListenerVerticle(ListenConfig config, int port, Handler<HttpServerRequest> requests,
                            Handler<HttpServerRequest> invalidRequests, Consumer<HttpServer> onListening,
                            HardenedRequestDecoder.RawRejections rawRejections) {
        this.rawRejections = rawRejections;
        this.config = config;
        this.port = port;
        this.requests = requests;
        this.invalidRequests = invalidRequests;
        this.onListening = onListening;
    }

    public static HttpServerOptions serverOptions(ListenConfig config) {
        return new HttpServerOptions()
                .setHost(config.host())
                .setMaxHeaderSize((int) config.maxHeaderSize())
                .setMaxInitialLineLength(8192)
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                // no WebSockets are served: without these Netty's extension handler sits in every connection's
                // pipeline and looks at every request and response for an upgrade
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setHandle100ContinueAutomatically(true)
                .setTcpNoDelay(true)
                .setIdleTimeout(0); // the decoder owns header-read and keep-alive timing
    }

    @Override
    public Future<?> start() {
        HttpServerOptions options = serverOptions(config);
        long headerReadMillis = config.headerReadTimeout().toMillis();
        long keepAliveMillis = config.keepAliveIdle().toMillis();
        return vertx.createHttpServer(options)
                .connectionHandler(connection -> {
                    if (connection instanceof ConnectionBase base) {
                        base.channelHandlerContext().pipeline().replace(HardenedRequestDecoder.PIPELINE_NAME,
                                HardenedRequestDecoder.PIPELINE_NAME,
                                new HardenedRequestDecoder(options, headerReadMillis, keepAliveMillis,
                                        rawRejections));
                    }
                })
                .requestHandler(requests)
                .invalidRequestHandler(invalidRequests)
                .listen(port, config.host())
                .onSuccess(onListening::accept);
    }
}
