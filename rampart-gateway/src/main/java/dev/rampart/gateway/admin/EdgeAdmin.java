package dev.rampart.gateway.admin;

import dev.rampart.gateway.edge.SideEffectSwitch;
import dev.rampart.gateway.proxy.EdgeServices;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.routing.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin API's side of the edge: pausing and resuming side-effect routes ({@code /api/v1/side-effects}) and
 * purging the response cache ({@code DELETE /api/v1/cache}). Each answer is a status and a JSON body.
 */
public final class EdgeAdmin {
    static final long DEFAULT_RETRY_AFTER_SECONDS = 60;
    static final long MAX_RETRY_AFTER_SECONDS = 86_400;
    private static final int MAX_TEXT = 500;

    /** A status and JSON body. */
    public record Answer(int status, JsonObject body) {
    }

    private final EdgeServices edge;
    private final Supplier<RouteTable> table;

    public EdgeAdmin(EdgeServices edge, Supplier<RouteTable> table) {
        this.edge = edge;
        this.table = table;
    }

    /** {@code GET /api/v1/side-effects}: the side-effect routes, each paused or not, and the pauses in force. */
    public Answer state() {
        JsonArray routes = new JsonArray();
        for (CompiledRoute route : table.get().routes()) {
            if (route.sideEffects) {
                SideEffectSwitch.Pause pause = edge.switches().pausedFor(route.id());
                routes.add(new JsonObject().put("route", route.id()).put("paused", pause != null)
                        .put("paused_by_scope", pause == null ? null : pause.scope()));
            }
        }
        JsonArray pauses = new JsonArray();
        for (SideEffectSwitch.Pause pause : edge.switches().pauses().values()) {
            pauses.add(json(pause));
        }
        return new Answer(200, new JsonObject().put("routes", routes).put("pauses", pauses));
    }

    /**
     * {@code POST /api/v1/side-effects/pause} with {@code {"route": "payments", "by": "alice", "reason": "…",
     * "retry_after_s": 60}}; without {@code route}, every side-effect route.
     */
    public Answer pause(JsonObject body) {
        Request request = Request.read(body, true);
        if (request.problem != null) {
            return error(400, "bad_request", request.problem);
        }
        String scope = request.route == null ? SideEffectSwitch.ALL : request.route;
        if (request.route != null) {
            Answer problem = checkRoute(request.route);
            if (problem != null) {
                return problem;
            }
        } else if (table.get().routes().stream().noneMatch(r -> r.sideEffects)) {
            return error(409, "no_side_effect_routes",
                    "No route is marked side-effects: true; there is nothing to pause.");
        }
        SideEffectSwitch.Pause pause = edge.switches().pause(scope, request.by, request.reason, request.retryAfter);
        return new Answer(200, new JsonObject().put("paused", json(pause)).mergeIn(state().body()));
    }

    /** {@code POST /api/v1/side-effects/resume} with {@code {"route": …, "by": …, "reason": …}}. */
    public Answer resume(JsonObject body) {
        Request request = Request.read(body, false);
        if (request.problem != null) {
            return error(400, "bad_request", request.problem);
        }
        String scope = request.route == null ? SideEffectSwitch.ALL : request.route;
        SideEffectSwitch.Pause lifted = edge.switches().resume(scope, request.by, request.reason);
        if (lifted == null) {
            return error(409, "not_paused", request.route == null ? "No side-effect route is paused."
                    : "Route " + request.route + " has no pause of its own"
                    + (edge.switches().pauses().containsKey(SideEffectSwitch.ALL)
                    ? "; it is paused with every side-effect route: resume them all." : "."));
        }
        return new Answer(200, new JsonObject().put("resumed", json(lifted)).mergeIn(state().body()));
    }

    private Answer checkRoute(String id) {
        CompiledRoute route = table.get().route(id);
        if (route == null) {
            return error(404, "route_not_found", "No configured route has the id " + id + ".");
        }
        if (!route.sideEffects) {
            return error(409, "not_a_side_effect_route", "Route " + id
                    + " is not marked side-effects: true; only such routes can be paused.");
        }
        return null;
    }

    /**
     * {@code DELETE /api/v1/cache?route=…&key=/path} drops everything cached for one path (every query, host and
     * variant: a query in the key is ignored), in one route or all caching routes; {@code ?prefix=/v1/} (with or
     * without {@code route}) drops every path under the prefix. Both stores, local and Redis.
     */
    public Future<Answer> purge(String route, String key, String prefix) {
        if ((key == null) == (prefix == null)) {
            return Future.succeededFuture(error(400, "bad_request",
                    "Give either key (a path, e.g. /v1/prices/42) or prefix (e.g. /v1/prices/), not both."));
        }
        String path = key != null ? key : prefix;
        if (!path.startsWith("/")) {
            return Future.succeededFuture(error(400, "bad_request", "A key or prefix is a path starting with /."));
        }
        RouteTable current = table.get();
        if (route != null && (current.route(route) == null || current.route(route).cache == null)) {
            return Future.succeededFuture(error(404, "route_not_found",
                    "No configured route with the id " + route + " caches responses; routes that do: "
                            + String.join(", ", current.cachingRoutes()) + "."));
        }
        if (key != null) {
            int query = key.indexOf('?');
            String keyPath = query < 0 ? key : key.substring(0, query);
            return edge.cache().purgePath(route == null ? current.cachingRoutes() : java.util.List.of(route), keyPath)
                    .map(n -> purged(n, route, keyPath, null));
        }
        return edge.cache().purgePrefix(route, prefix).map(n -> purged(n, route, null, prefix));
    }

    private Answer purged(int count, String route, String key, String prefix) {
        JsonObject body = new JsonObject().put("purged", count).put("route", route).put("key", key)
                .put("prefix", prefix);
        RouteTable current = table.get();
        boolean shared = current.routes().stream().anyMatch(r -> r.cache != null
                && r.cache.store() == dev.rampart.core.config.CacheConfig.Store.REDIS
                && (route == null || r.id().equals(route)));
        if (shared && edge.cache().sharedStoreUnreachable()) {
            // what this instance held is gone; what Redis holds is not, and comes back with it: say so, loudly
            return new Answer(503, body.put("error", new JsonObject().put("code", "purge_incomplete")
                    .put("message", "Redis is unavailable: entries in this instance were purged, entries in Redis "
                            + "were not. Purge again once /readyz shows Redis up.")));
        }
        return new Answer(200, body);
    }

    private static JsonObject json(SideEffectSwitch.Pause pause) {
        return new JsonObject().put("scope", pause.scope()).put("by", pause.by()).put("reason", pause.reason())
                .put("since", Instant.ofEpochMilli(pause.sinceMillis()).toString())
                .put("retry_after_s", pause.retryAfterSeconds());
    }

    private static Answer error(int status, String code, String message) {
        return new Answer(status, new JsonObject().put("error", new JsonObject().put("code", code)
                .put("message", message)));
    }

    /** What a pause or resume asks, checked. */
    private record Request(String route, String by, String reason, long retryAfter, String problem) {
        static Request read(JsonObject body, boolean pausing) {
            if (body == null) {
                return problem("The body must be a JSON object such as {\"route\":\"payments\",\"by\":\"alice\","
                        + "\"reason\":\"card processor incident\"}.");
            }
            for (Map.Entry<String, Object> field : body) {
                if (!java.util.List.of("route", "by", "reason", "retry_after_s").contains(field.getKey())) {
                    return problem("Unknown field " + field.getKey() + " (allowed: route, by, reason"
                            + (pausing ? ", retry_after_s" : "") + ").");
                }
            }
            Object route = body.getValue("route");
            Object by = body.getValue("by");
            Object reason = body.getValue("reason");
            Object retryAfter = body.getValue("retry_after_s");
            if (route != null && !(route instanceof String)) {
                return problem("route must be a route id.");
            }
            if (!(by instanceof String who) || who.isBlank() || who.length() > MAX_TEXT) {
                return problem("by must say who asks (e.g. a name or user@host), up to " + MAX_TEXT + " characters.");
            }
            if (!(reason instanceof String why) || why.isBlank() || why.length() > MAX_TEXT) {
                return problem("reason must say why, up to " + MAX_TEXT + " characters.");
            }
            long seconds = DEFAULT_RETRY_AFTER_SECONDS;
            if (retryAfter != null) {
                if (!pausing || !(retryAfter instanceof Number n) || n.longValue() < 1
                        || n.longValue() > MAX_RETRY_AFTER_SECONDS || n.doubleValue() != n.longValue()) {
                    return problem("retry_after_s must be whole seconds from 1 to " + MAX_RETRY_AFTER_SECONDS
                            + (pausing ? "." : ", and only when pausing."));
                }
                seconds = n.longValue();
            }
            return new Request((String) route, ((String) by).strip(), ((String) reason).strip(), seconds, null);
        }

        static Request problem(String problem) {
            return new Request(null, null, null, 0, problem);
        }
    }
}
