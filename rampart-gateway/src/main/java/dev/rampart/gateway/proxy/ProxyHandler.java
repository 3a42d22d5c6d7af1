package dev.rampart.gateway.proxy;

import dev.rampart.gateway.routing.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

import java.util.function.Supplier;

/** The data plane's request handler: each request runs as one {@link Exchange} on the table current at its arrival. */
public final class ProxyHandler implements Handler<HttpServerRequest> {
    private final Supplier<RouteTable> currentTable;
    private final AccessLog accessLog;

    public ProxyHandler(Supplier<RouteTable> currentTable, AccessLog accessLog) {
        this.currentTable = currentTable;
        this.accessLog = accessLog;
    }

    @Override
    public void handle(HttpServerRequest request) {
        Exchange exchange = new Exchange(request, currentTable.get(), accessLog);
        try {
            exchange.start();
        } catch (RuntimeException e) {
            exchange.failUnexpectedly(e);
        }
    }
}
