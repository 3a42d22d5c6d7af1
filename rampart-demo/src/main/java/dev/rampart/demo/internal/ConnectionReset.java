package dev.rampart.demo.internal;

import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/** Drops a request's connection the way a crashing upstream does: a TCP reset, not an orderly close. */
final class ConnectionReset {

    private ConnectionReset() {
    }

    /**
     * Vert.x's {@code HttpServerResponse.reset()} on HTTP/1.x only closes the connection (a FIN, which a client sees
     * as a premature close). A real reset (RST, "connection reset by peer") needs SO_LINGER 0 on the socket, which
     * only Vert.x's connection implementation exposes; if that class ever changes, an ordinary close still fails
     * the client's request, just less abruptly.
     */
    static void abort(HttpServerRequest request) {
        if (request.connection() instanceof ConnectionBase connection) {
            connection.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        request.connection().close();
    }
}
