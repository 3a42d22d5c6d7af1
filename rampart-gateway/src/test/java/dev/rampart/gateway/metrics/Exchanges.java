package dev.rampart.gateway.metrics;

import dev.rampart.gateway.observe.ExchangeRecord;

/** Finished requests for tests: a proxied 200 by default, changed one field at a time. */
final class Exchanges {
    private String route = "orders";
    private String upstream = "backend";
    private String endpoint = "http://127.0.0.1:8081";
    private String method = "GET";
    private String path = "/orders/1";
    private int status = 200;
    private long durationNanos = 2_000_000;
    private long bytesIn;
    private long bytesOut;
    private String errorCode;
    private long queueNanos = 50_000;
    private long connectNanos;
    private long firstByteNanos = 1_000_000;
    private long upstreamNanos = 1_500_000;

    static Exchanges proxied() {
        return new Exchanges();
    }

    /** A request refused or answered before routing: no route, no upstream call. */
    static Exchanges unrouted() {
        return new Exchanges().route(null).upstream(null).endpoint(null).status(404).errorCode("route_not_found")
                .queueNanos(-1).connectNanos(-1).firstByteNanos(-1).upstreamNanos(-1);
    }

    Exchanges route(String route) {
        this.route = route;
        return this;
    }

    Exchanges upstream(String upstream) {
        this.upstream = upstream;
        return this;
    }

    Exchanges endpoint(String endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    Exchanges method(String method) {
        this.method = method;
        return this;
    }

    Exchanges path(String path) {
        this.path = path;
        return this;
    }

    Exchanges status(int status) {
        this.status = status;
        return this;
    }

    Exchanges durationMillis(double millis) {
        this.durationNanos = Math.round(millis * 1e6);
        return this;
    }

    Exchanges bytes(long in, long out) {
        this.bytesIn = in;
        this.bytesOut = out;
        return this;
    }

    Exchanges errorCode(String errorCode) {
        this.errorCode = errorCode;
        return this;
    }

    Exchanges queueNanos(long nanos) {
        this.queueNanos = nanos;
        return this;
    }

    Exchanges connectNanos(long nanos) {
        this.connectNanos = nanos;
        return this;
    }

    Exchanges firstByteNanos(long nanos) {
        this.firstByteNanos = nanos;
        return this;
    }

    Exchanges upstreamNanos(long nanos) {
        this.upstreamNanos = nanos;
        return this;
    }

    ExchangeRecord record() {
        return new ExchangeRecord(1_700_000_000_000L, route, upstream, endpoint, method, path, null, status,
                durationNanos, upstreamNanos >= 0 ? status : 0, bytesIn, bytesOut, "req-1", "127.0.0.1", errorCode,
                queueNanos, connectNanos, firstByteNanos, upstreamNanos, null, null);
    }
}
