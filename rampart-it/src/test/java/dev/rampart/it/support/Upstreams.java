package dev.rampart.it.support;

import dev.rampart.demo.DemoServices;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;

/**
 * The real upstream servers a test puts behind the gateway, in the test JVM: the five demo services on free ports,
 * and servers written for one test (one that never answers, one that stalls mid-body, …).
 */
public final class Upstreams implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private DemoServices demo;

    /** The demo services (pricing, inventory, offers, tax, payments), started on free ports on first use. */
    public synchronized DemoServices demo() {
        if (demo == null) {
            demo = await(DemoServices.start(vertx, "127.0.0.1", 0));
        }
        return demo;
    }

    /** {@code http://127.0.0.1:<port>} of a demo service. */
    public String demoUrl(String service) {
        return "http://127.0.0.1:" + demo().port(service);
    }

    /** An HTTP/1.1 server on a free loopback port answering with {@code handler}; returns its URL. */
    public String http(Handler<HttpServerRequest> handler) {
        int port = await(vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(handler)
                .listen(0, "127.0.0.1")).actualPort();
        return "http://127.0.0.1:" + port;
    }

    /** A TCP server on a free loopback port whose connections {@code handler} speaks to byte by byte; its URL. */
    public String tcp(Handler<NetSocket> handler) {
        int port = await(vertx.createNetServer().connectHandler(handler).listen(0, "127.0.0.1")).actualPort();
        return "http://127.0.0.1:" + port;
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        await(vertx.close());
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.await(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("upstream did not start in 30 s", e);
        }
    }
}
