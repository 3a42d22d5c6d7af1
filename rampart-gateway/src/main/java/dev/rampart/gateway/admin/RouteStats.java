package dev.rampart.gateway.admin;

import dev.rampart.core.latency.SlidingLatencyWindow;
import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.observe.ExchangeListener;
import dev.rampart.gateway.observe.ExchangeRecord;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Per route and per upstream: sliding latency windows (1 and 5 minutes) and request and error totals, fed by every
 * finished request. Routes and upstreams appear when their first request finishes; names come from the config, so
 * the maps are bounded by it. Requests that matched no route, and WebSocket tunnels, are not counted here.
 */
public final class RouteStats implements ExchangeListener {
    public static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    public static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    /** Codes of failures on Rampart's or the upstream's side, also when the response had started (status 200). */
    private static final Set<String> SERVER_SIDE_ERRORS = Arrays.stream(ErrorCode.values())
            .filter(code -> code.status() >= 500)
            .map(ErrorCode::code)
            .collect(Collectors.toUnmodifiableSet());

    private final LongSupplier nanoClock;
    private final ConcurrentMap<String, Traffic> routes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Traffic> upstreams = new ConcurrentHashMap<>();

    /** @param nanoClock monotonic nanoseconds, {@code System::nanoTime} outside tests */
    public RouteStats(LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public void finished(ExchangeRecord record) {
        if (record.route() == null || record.status() == 101) {
            return; // a WebSocket tunnel's duration is the session's, not a request's latency
        }
        boolean error = isError(record);
        long now = nanoClock.getAsLong(); // once for both windows
        traffic(routes, record.route()).record(record.durationNanos(), error, now);
        if (record.upstream() != null) {
            traffic(upstreams, record.upstream()).record(record.durationNanos(), error, now);
        }
    }

    /** 5xx sent to the client, or a server-side failure that cut a response already under way. */
    static boolean isError(ExchangeRecord record) {
        return record.status() >= 500
                || (record.errorCode() != null && SERVER_SIDE_ERRORS.contains(record.errorCode()));
    }

    private Traffic traffic(ConcurrentMap<String, Traffic> map, String name) {
        Traffic traffic = map.get(name); // the common case, without computeIfAbsent's locking
        return traffic != null ? traffic : map.computeIfAbsent(name, n -> new Traffic(nanoClock));
    }

    /** The route's traffic; empty for a route that has had no request (yet). */
    public Traffic route(String id) {
        Traffic traffic = routes.get(id);
        return traffic != null ? traffic : new Traffic(nanoClock);
    }

    /** The upstream's traffic; empty for an upstream that has had no request (yet). */
    public Traffic upstream(String name) {
        Traffic traffic = upstreams.get(name);
        return traffic != null ? traffic : new Traffic(nanoClock);
    }

    /** Upstreams that have had requests, sorted by name. */
    public List<String> upstreamNames() {
        return upstreams.keySet().stream().sorted().toList();
    }

    /** Packs finished latency slices (see {@link SlidingLatencyWindow#compact()}); call it off the event loops. */
    public void compact() {
        routes.values().forEach(traffic -> traffic.window.compact());
        upstreams.values().forEach(traffic -> traffic.window.compact());
    }

    /** One route's or upstream's requests: totals since start and sliding latency windows. */
    public static final class Traffic {
        private final SlidingLatencyWindow window;
        private final LongAdder requests = new LongAdder();
        private final LongAdder errors = new LongAdder();

        private Traffic(LongSupplier nanoClock) {
            this.window = new SlidingLatencyWindow(nanoClock);
        }

        void record(long durationNanos, boolean error, long nowNanos) {
            window.record(durationNanos, error, nowNanos);
            requests.increment();
            if (error) {
                errors.increment();
            }
        }

        /** Requests finished since start. */
        public long requests() {
            return requests.sum();
        }

        /** Of which failed (see {@link RouteStats}: 5xx and server-side failures). */
        public long errors() {
            return errors.sum();
        }

        /** The last {@code window}: 1 or 5 minutes, or any multiple of 10 s up to 5 minutes. */
        public SlidingLatencyWindow.Snapshot snapshot(Duration window) {
            return this.window.snapshot(window);
        }
    }
}
