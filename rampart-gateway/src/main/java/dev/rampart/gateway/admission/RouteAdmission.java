package dev.rampart.gateway.admission;

import dev.rampart.core.admission.ApiKeys;
import dev.rampart.core.admission.Gcra;
import dev.rampart.core.admission.JwtVerifier;
import dev.rampart.core.admission.RateLimitHeaders;
import dev.rampart.core.config.AdmissionConfig;
import dev.rampart.core.config.ClientConfig;
import dev.rampart.core.config.RampartConfig;
import dev.rampart.core.config.RateLimitConfig;
import dev.rampart.core.config.RateLimitKey;
import dev.rampart.core.config.RedisFailureMode;
import dev.rampart.core.config.RouteConfig;
import dev.rampart.gateway.observe.AdmissionListener;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Admission for one route (rule 4): who is calling (401 without a known client where one is required, 403 when the
 * client may not use the route), then every rate limit that applies — the client's own and the route's, all of which
 * must pass — decided locally or in one Redis round trip, then the client's concurrent requests. Routes with nothing
 * to check get no admission at all.
 */
public final class RouteAdmission {
    /** Keys longer than this (header values, claims) are hashed: hostile input never grows a cell key without bound. */
    private static final int MAX_KEY_VALUE = 128;
    private static final String NONE = "none";
    private static final Limit[] NO_LIMITS = new Limit[0];
    private static final long LEASE_MARGIN_MILLIS = 5_000;

    /**
     * What admission decided; the concurrency keys name places taken in this instance, {@code sharedPlaces} places
     * taken in Redis, to be {@link #release}d.
     */
    public record Outcome(Kind kind, String limit, String client, long retryAfterNanos, String policyHeader,
                          String rateLimitHeader, String concurrencyKey, String routeConcurrencyKey,
                          RedisCells.InFlight sharedPlaces) {
        public enum Kind { ADMITTED, UNAUTHORIZED, FORBIDDEN, RATE_LIMITED, TOO_MANY_CONCURRENT, UNAVAILABLE }

        public boolean admitted() {
            return kind == Kind.ADMITTED;
        }
    }

    private final String route;
    private final AdmissionConfig config;
    private final Clients clients;
    private final AdmissionState state;
    private final AdmissionListener listener;
    private final Limit[] routeLimits;
    private final Map<String, Limit[]> clientLimits;
    private final Map<String, Integer> clientMaxConcurrent;
    private final boolean needClaims;
    /** Instances sharing the limits through Redis (1 without Redis). */
    private final int instances;
    /** How long a place in flight taken in Redis lasts when it is never given back: longer than any request here. */
    private final long leaseMicros;

    private RouteAdmission(RouteConfig route, RampartConfig config, Clients clients, AdmissionState state,
                           AdmissionListener listener) {
        this.route = route.id();
        this.config = route.admission();
        this.clients = clients;
        this.state = state;
        this.listener = listener;
        int instances = config.state().redis() == null ? 1 : config.state().redis().instances();
        this.instances = instances;
        this.leaseMicros = (route.timeouts().total().toMillis() + LEASE_MARGIN_MILLIS) * 1_000;
        List<Limit> limits = new ArrayList<>();
        List<String> clientNames = config.clients().stream().map(ClientConfig::name).toList();
        boolean claims = false;
        for (RateLimitConfig limit : this.config.rateLimits()) {
            limits.add(Limit.of("r/" + route.id(), limit, instances, clientNames));
            claims |= limit.key().kind() == RateLimitKey.Kind.JWT_CLAIM;
        }
        this.routeLimits = limits.toArray(Limit[]::new);
        this.needClaims = claims;
        Map<String, Limit[]> byClient = new HashMap<>();
        Map<String, Integer> concurrency = new HashMap<>();
        for (ClientConfig client : config.clients()) {
            byClient.put(client.name(), client.limits().stream()
                    .map(limit -> Limit.of("c/" + client.name(), limit, instances)).toArray(Limit[]::new));
            if (client.maxConcurrent() > 0) {
                concurrency.put(client.name(), client.maxConcurrent());
            }
        }
        this.clientLimits = Map.copyOf(byClient);
        this.clientMaxConcurrent = Map.copyOf(concurrency);
    }

    /** The route's admission, or null when it has nothing to check (no required client, no limit applies). */
    public static RouteAdmission compile(RouteConfig route, RampartConfig config, Clients clients,
                                         AdmissionState state, AdmissionListener listener) {
        AdmissionConfig admission = route.admission();
        boolean clientRules = config.clients().stream()
                .anyMatch(c -> !c.limits().isEmpty() || c.maxConcurrent() > 0 || !c.routes().isEmpty());
        // the edge keys by client too: a cache keyed by client, idempotency keys (each client's are its own)
        boolean edgeNeedsClient = !config.clients().isEmpty() && (route.idempotency() != null
                || route.cache() != null && route.cache().keyClient());
        if (!admission.requireClient() && admission.rateLimits().isEmpty() && admission.maxConcurrentPerClient() == 0
                && !clientRules && !edgeNeedsClient) {
            return null;
        }
        return new RouteAdmission(route, config, clients, state, listener);
    }

    /** The header a 401 names in its challenge. */
    public String apiKeyHeader() {
        return clients.apiKeyHeader();
    }

    public boolean rateLimitHeadersOnSuccess() {
        return config.rateLimitHeaders();
    }

    /** Decides a request; {@code done} runs exactly once, on the caller's event loop. */
    public void admit(HttpServerRequest request, String peerIp, Consumer<Outcome> done) {
        Clients.Caller caller = clients.identify(request, peerIp, needClaims);
        ClientConfig client = caller.client();
        String clientLabel = client == null ? NONE : client.name();
        if (config.requireClient() && client == null) {
            listener.refused(route, "unauthorized", NONE);
            done.accept(new Outcome(Outcome.Kind.UNAUTHORIZED, null, null, 0, null, null, null, null, null));
            return;
        }
        if (client != null && !client.routes().isEmpty() && !client.routes().contains(route)) {
            listener.refused(route, "forbidden", clientLabel);
            done.accept(new Outcome(Outcome.Kind.FORBIDDEN, null, client.name(), 0, null, null, null, null, null));
            return;
        }
        Limit[] own = client == null ? NO_LIMITS : clientLimits.getOrDefault(client.name(), NO_LIMITS);
        int n = own.length + routeLimits.length;
        Limit[] limits = n == 0 ? NO_LIMITS : new Limit[n];
        String[] cells = new String[n];
        boolean[] identified = new boolean[n];
        // a client's own limits, on every route; keyed by more than the client (an IP, a claim) they split it
        for (int i = 0; i < own.length; i++) {
            Limit limit = own[i];
            String value = limit.key().kind() == RateLimitKey.Kind.CLIENT ? "" : keyValue(limit.key(), caller, request);
            limits[i] = limit;
            identified[i] = value != null;
            cells[i] = value == null ? "u/" + limit.cell() : value.isEmpty() ? limit.cell() : limit.cell() + "/" + value;
        }
        for (int j = 0; j < routeLimits.length; j++) {
            Limit limit = routeLimits[j];
            String value = keyValue(limit.key(), caller, request);
            int i = own.length + j;
            limits[i] = limit;
            identified[i] = value != null;
            // requests whose key cannot be told share one bucket of their own: limited, never unlimited
            cells[i] = value == null ? "u/" + route + "/" + limit.name() : limit.cellFor(value);
        }
        RedisCells redis = state.redis();
        boolean inFlightLimited = mayRefuseConcurrent(caller);
        if (n == 0 && (redis == null || !inFlightLimited)) {
            done.accept(concurrency(caller, clientLabel, null, null, false));
            return;
        }
        if (redis == null) {
            done.accept(decideLocally(limits, cells, identified, false, caller, clientLabel));
            return;
        }
        if (!redis.up()) {
            done.accept(fallback(limits, cells, identified, caller, clientLabel));
            return;
        }
        long[] intervals = new long[n];
        long[] tolerances = new long[n];
        Gcra[] applied = new Gcra[n];
        for (int i = 0; i < n; i++) {
            Gcra gcra = identified[i] ? limits[i].gcra() : limits[i].unidentified();
            applied[i] = gcra;
            intervals[i] = Math.max(1, (gcra.emissionIntervalNanos() + 999) / 1_000); // never faster than configured
            tolerances[i] = gcra.burstToleranceNanos() / 1_000;
        }
        RedisCells.InFlight places = inFlightLimited ? sharedPlaces(caller, redis) : null;
        long start = System.nanoTime();
        redis.decide(Arrays.asList(cells), intervals, tolerances, 1, places).onComplete(ar -> {
            listener.redisDecision(System.nanoTime() - start, ar.succeeded());
            if (ar.failed()) {
                done.accept(fallback(limits, cells, identified, caller, clientLabel));
                return;
            }
            RedisCells.Verdict verdict = ar.result();
            // refused for want of a place in flight: its rate limits had room (and it took nothing from them)
            boolean ratesPassed = verdict.allowed() || verdict.tooManyConcurrent();
            done.accept(outcome(limits, applied, ratesPassed, verdict.remaining(), verdict.resetNanos(),
                    verdict.retryAfterNanos(), caller, clientLabel,
                    new InFlightDecision(false, places, verdict.tooManyConcurrent())));
        });
    }

    /** Redis is away: the route's declared failure mode decides. */
    private Outcome fallback(Limit[] limits, String[] cells, boolean[] identified, Clients.Caller caller,
                             String clientLabel) {
        RedisFailureMode mode = config.onRedisFailure();
        listener.redisFallback(route, mode.name().toLowerCase(java.util.Locale.ROOT));
        return switch (mode) {
            case LOCAL -> decideLocally(limits, cells, identified, true, caller, clientLabel);
            // the rate limits are open; places in flight are still counted, each instance up to the whole limit
            case OPEN -> concurrency(caller, clientLabel, null, null, false);
            case CLOSED -> new Outcome(Outcome.Kind.UNAVAILABLE, null, caller.clientName(), 1_000_000_000L, null,
                    null, null, null, null);
        };
    }

    /**
     * Decides against this instance's cells: all limits are looked at first, and a place is taken in each only when
     * every one has room, so a refused request uses up nothing.
     */
    private Outcome decideLocally(Limit[] limits, String[] cells, boolean[] identified, boolean share,
                                  Clients.Caller caller, String clientLabel) {
        int n = limits.length;
        long now = System.nanoTime();
        Gcra[] gcras = new Gcra[n];
        for (int i = 0; i < n; i++) {
            Limit limit = limits[i];
            gcras[i] = identified[i] ? (share ? limit.localShare() : limit.gcra())
                    : (share ? limit.unidentifiedLocalShare() : limit.unidentified());
        }
        if (n == 1) { // a lone limit: trying it takes nothing when it refuses, so there is nothing to look at first
            Gcra.Decision taken = state.local.tryAcquire(cells[0], gcras[0], now, 1);
            return outcome(limits, gcras, taken.allowed(), new long[] {taken.remaining()},
                    new long[] {taken.resetNanos()}, new long[] {taken.retryAfterNanos()}, caller, clientLabel,
                    share ? InFlightDecision.LOCAL_SHARE : InFlightDecision.LOCAL);
        }
        long[] remaining = new long[n];
        long[] reset = new long[n];
        long[] retryAfter = new long[n];
        boolean allowed = true;
        for (int i = 0; i < n; i++) {
            Gcra.Decision peek = state.local.peek(cells[i], gcras[i], now);
            if (!peek.allowed()) {
                allowed = false;
            }
            remaining[i] = peek.remaining();
            reset[i] = peek.resetNanos();
            retryAfter[i] = peek.retryAfterNanos();
        }
        if (allowed) {
            for (int i = 0; i < n; i++) {
                Gcra.Decision taken = state.local.tryAcquire(cells[i], gcras[i], now, 1);
                allowed &= taken.allowed(); // another event loop took the last place meanwhile
                remaining[i] = taken.remaining();
                reset[i] = taken.resetNanos();
                retryAfter[i] = taken.retryAfterNanos();
            }
        }
        return outcome(limits, gcras, allowed, remaining, reset, retryAfter, caller, clientLabel,
                share ? InFlightDecision.LOCAL_SHARE : InFlightDecision.LOCAL);
    }

    /**
     * How a request's places in flight are decided once its rate limits pass: in this instance (with the whole
     * limit, or its share while Redis is away), or already in Redis ({@code places} taken unless {@code full}).
     */
    private record InFlightDecision(boolean share, RedisCells.InFlight places, boolean full) {
        static final InFlightDecision LOCAL = new InFlightDecision(false, null, false);
        static final InFlightDecision LOCAL_SHARE = new InFlightDecision(true, null, false);
    }

    private Outcome outcome(Limit[] limits, Gcra[] applied, boolean allowed, long[] remaining, long[] reset,
                            long[] retryAfter, Clients.Caller caller, String clientLabel, InFlightDecision inFlight) {
        if (limits.length == 0) {
            return inFlight(caller, clientLabel, null, null, inFlight);
        }
        // the tightest limit speaks for the request: the one that refused it last, else the one with least room
        int tightest = 0;
        for (int i = 1; i < limits.length; i++) {
            boolean tighter = allowed ? remaining[i] < remaining[tightest] : retryAfter[i] > retryAfter[tightest];
            if (tighter) {
                tightest = i;
            }
        }
        for (int i = 0; i < limits.length; i++) {
            boolean passed = allowed || retryAfter[i] == 0;
            listener.rateLimitDecision(route, limits[i].name(), clientLabel, passed);
        }
        String policyHeader = null;
        String current = null;
        // the headers go out on a refusal, or on every answer when the route asks; else building them is waste
        if (!allowed || config.rateLimitHeaders() || mayRefuseConcurrent(caller)) {
            List<String> policies = new ArrayList<>(limits.length);
            for (int i = 0; i < limits.length; i++) {
                policies.add(limits[i].policy(applied[i]));
            }
            policyHeader = RateLimitHeaders.list(policies);
            current = RateLimitHeaders.current(limits[tightest].name(), Math.max(0, remaining[tightest]),
                    seconds(allowed ? reset[tightest] : retryAfter[tightest]));
        }
        if (!allowed) {
            return new Outcome(Outcome.Kind.RATE_LIMITED, limits[tightest].name(), caller.clientName(),
                    retryAfter[tightest], policyHeader, current, null, null, null);
        }
        return inFlight(caller, clientLabel, policyHeader, current, inFlight);
    }

    private Outcome inFlight(Clients.Caller caller, String clientLabel, String policyHeader, String current,
                             InFlightDecision inFlight) {
        if (inFlight.places() == null) {
            return concurrency(caller, clientLabel, policyHeader, current, inFlight.share());
        }
        if (inFlight.full()) {
            return tooManyConcurrent(caller, clientLabel, policyHeader, current);
        }
        return new Outcome(Outcome.Kind.ADMITTED, null, caller.clientName(), 0, policyHeader, current, null, null,
                inFlight.places());
    }

    /**
     * The request's places in Redis, shared by every instance: the client's own set (all routes) and the route's
     * set for it, each place leased for the route's total timeout and a margin, which no request outlives.
     */
    private RedisCells.InFlight sharedPlaces(Clients.Caller caller, RedisCells redis) {
        ClientConfig client = caller.client();
        int own = client != null ? clientMaxConcurrent.getOrDefault(client.name(), 0) : 0;
        int perRoute = config.maxConcurrentPerClient();
        String who = client != null ? "c/" + client.name() : "ip/" + caller.ip();
        List<String> sets = new ArrayList<>(2);
        int[] most = new int[(own > 0 ? 1 : 0) + (perRoute > 0 ? 1 : 0)];
        if (own > 0) {
            most[sets.size()] = own;
            sets.add("inflight/" + who);
        }
        if (perRoute > 0) {
            most[sets.size()] = perRoute;
            sets.add("inflight/r/" + route + "/" + who);
        }
        return new RedisCells.InFlight(sets, most, leaseMicros, redis.newMember());
    }

    private boolean mayRefuseConcurrent(Clients.Caller caller) {
        ClientConfig client = caller.client();
        return config.maxConcurrentPerClient() > 0
                || client != null && clientMaxConcurrent.getOrDefault(client.name(), 0) > 0;
    }

    /**
     * The client's concurrent requests: its own {@code max-concurrent} counts them on every route, the route's
     * {@code max-concurrent-per-client} on this route; both must have room.
     */
    private Outcome concurrency(Clients.Caller caller, String clientLabel, String policyHeader, String current,
                                boolean share) {
        ClientConfig client = caller.client();
        int own = client != null ? localShare(clientMaxConcurrent.getOrDefault(client.name(), 0), share) : 0;
        int perRoute = localShare(config.maxConcurrentPerClient(), share);
        if (own == 0 && perRoute == 0) {
            return new Outcome(Outcome.Kind.ADMITTED, null, caller.clientName(), 0, policyHeader, current, null, null,
                    null);
        }
        // callers that named no client are told apart by address: one anonymous caller cannot starve the others
        String who = client != null ? "c/" + client.name() : "ip/" + caller.ip();
        String ownKey = own > 0 ? who : null;
        String routeKey = perRoute > 0 ? "r/" + route + "/" + who : null;
        if (ownKey != null && !state.enter(ownKey, own)) {
            return tooManyConcurrent(caller, clientLabel, policyHeader, current);
        }
        if (routeKey != null && !state.enter(routeKey, perRoute)) {
            if (ownKey != null) {
                state.leave(ownKey);
            }
            return tooManyConcurrent(caller, clientLabel, policyHeader, current);
        }
        return new Outcome(Outcome.Kind.ADMITTED, null, caller.clientName(), 0, policyHeader, current, ownKey,
                routeKey, null);
    }

    private Outcome tooManyConcurrent(Clients.Caller caller, String clientLabel, String policyHeader,
                                      String current) {
        listener.refused(route, "concurrency", clientLabel);
        return new Outcome(Outcome.Kind.TOO_MANY_CONCURRENT, "max-concurrent", caller.clientName(), 1_000_000_000L,
                policyHeader, current, null, null, null);
    }

    /** While Redis is away, each of the instances sharing a limit of places allows its share (at least one). */
    private int localShare(int most, boolean share) {
        return most == 0 || !share ? most : Math.max(1, (most + instances - 1) / instances);
    }

    /** Hands back the place an admitted request held among its client's requests in flight. */
    public void release(Outcome outcome) {
        if (outcome == null) {
            return;
        }
        if (outcome.sharedPlaces() != null && state.redis() != null) {
            state.redis().release(outcome.sharedPlaces());
        }
        if (outcome.concurrencyKey() != null) {
            state.leave(outcome.concurrencyKey());
        }
        if (outcome.routeConcurrencyKey() != null) {
            state.leave(outcome.routeConcurrencyKey());
        }
    }

    private String keyValue(RateLimitKey key, Clients.Caller caller, HttpServerRequest request) {
        String value = switch (key.kind()) {
            case CLIENT -> caller.clientName();
            case IP -> caller.ip();
            case ROUTE -> "all";
            case HEADER -> request.getHeader(key.name());
            case JWT_CLAIM -> caller.claims() == null ? null : JwtVerifier.claim(caller.claims(), key.name());
        };
        if (value == null || value.isEmpty()) {
            return null;
        }
        return value.length() > MAX_KEY_VALUE || value.indexOf('/') >= 0 ? ApiKeys.sha256Hex(value) : value;
    }

    private static long seconds(long nanos) {
        return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
