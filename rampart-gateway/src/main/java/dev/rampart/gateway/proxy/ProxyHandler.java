package dev.rampart.gateway.proxy;

import dev.rampart.gateway.observe.ExchangeListener;
import dev.rampart.gateway.observe.ResilienceListener;
import dev.rampart.gateway.routing.RouteTable;
import dev.rampart.gateway.tracing.Tracing;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

import java.util.function.Supplier;

/** The data plane's request handler: each request runs as one {@link Exchange} on the table current at its arrival. */
public final class ProxyHandler implements Handler<HttpServerRequest> {
    private final Supplier<RouteTable> currentTable;
    private final ExchangeListener listener;

    private final Tracing tracing;
    private final ResilienceListener resilience;

    private final EdgeServices edge;

    public ProxyHandler(Supplier<RouteTable> currentTable, ExchangeListener listener, Tracing tracing) {
        this(currentTable, listener, ResilienceListener.NONE, tracing, EdgeServices.local());
    }

    public ProxyHandler(Supplier<RouteTable> currentTable, ExchangeListener listener, ResilienceListener resilience,
                        Tracing tracing, EdgeServices edge) {
        this.edge = edge;
        this.tracing = tracing;
        this.resilience = resilience;
        this.currentTable = currentTable;
        this.listener = listener;
    }

    @Override
    public void handle(HttpServerRequest request) {
        Exchange exchange = new Exchange(request, currentTable.get(), listener, resilience, tracing, edge);
        try {
            exchange.start();
        } catch (RuntimeException e) {
            exchange.failUnexpectedly(e);
        }
    }
}
