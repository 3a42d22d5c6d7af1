package dev.rampart.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Binds what a route does at the edge before its upstream: response caching, idempotency keys, cache purges. */
final class EdgeBinder {
    static final List<String> CACHE_KEYS = List.of("ttl", "stale-while-revalidate", "stale-if-error", "store",
            "max-object-size", "key");
    static final List<String> IDEMPOTENCY_KEYS = List.of("required", "methods", "retention", "max-response-size",
            "lock-timeout");

    private static final Duration MIN_TTL = Duration.ofSeconds(1);
    private static final Duration MAX_STALE = Duration.ofDays(7);
    private static final Pattern PURGE_PATH = Pattern.compile("/[^\\s?#*]*\\*?");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final String KEY_PART_EXPECTED = "client, or header:<name>, e.g. header:accept-language";
    private static final String PURGE_EXPECTED = "a path starting with /, or a prefix ending in *, e.g. /v1/prices/*";
    private static final String METHODS_EXPECTED = "unsafe methods in capitals, e.g. [POST, PATCH]";

    private final ValueReader values;
    private boolean redisConfigured;

    EdgeBinder(ValueReader values) {
        this.values = values;
    }

    /** Whether the config has {@code state.redis}: a shared cache needs it. */
    void redisConfigured(boolean configured) {
        this.redisConfigured = configured;
    }

    CacheConfig cache(YamlNode node) {
        YamlNode.Mapping m = values.section(node, CACHE_KEYS);
        if (m == null) {
            return null;
        }
        Duration ttl = values.optional(m, "ttl", null, n -> values.duration(n, MIN_TTL, CacheConfig.MAX_TTL));
        Duration swr = values.optional(m, "stale-while-revalidate", Duration.ZERO,
                n -> values.duration(n, Duration.ZERO, MAX_STALE));
        Duration sie = values.optional(m, "stale-if-error", Duration.ZERO,
                n -> values.duration(n, Duration.ZERO, MAX_STALE));
        CacheConfig.Store store = values.optional(m, "store", CacheConfig.Store.LOCAL,
                n -> values.choice(n, CacheConfig.Store.values(), CacheConfig.Store::configName));
        if (store == CacheConfig.Store.REDIS && !redisConfigured) {
            values.reject(m.get("store"), "local, or redis once state.redis is configured");
        }
        long maxObjectSize = values.optional(m, "max-object-size", CacheConfig.DEFAULT_MAX_OBJECT_SIZE,
                n -> values.size(n, 1, CacheConfig.MAX_MAX_OBJECT_SIZE));
        List<String> headers = new ArrayList<>();
        boolean[] client = {false};
        YamlNode keyNode = m.get("key");
        if (keyNode != null) {
            values.oneOrMany(keyNode, item -> keyPart(item, headers, client), "a list of " + KEY_PART_EXPECTED);
        }
        return new CacheConfig(ttl, swr, sie, store, maxObjectSize, headers, client[0]);
    }

    private Boolean keyPart(YamlNode item, List<String> headers, boolean[] client) {
        String text = values.text(item, KEY_PART_EXPECTED);
        if (text == null) {
            return null;
        }
        if (text.equals("client")) {
            client[0] = true;
            return true;
        }
        if (text.startsWith("header:") && ValueReader.TOKEN.matcher(text.substring(7)).matches()) {
            String name = text.substring(7).toLowerCase(java.util.Locale.ROOT);
            if (headers.contains(name)) {
                values.reject(item, KEY_PART_EXPECTED + ", each once; header names are compared ignoring case");
                return null;
            }
            headers.add(name);
            return true;
        }
        values.reject(item, KEY_PART_EXPECTED);
        return null;
    }

    IdempotencyConfig idempotency(YamlNode node) {
        YamlNode.Mapping m = values.section(node, IDEMPOTENCY_KEYS);
        if (m == null) {
            return null;
        }
        boolean required = values.optional(m, "required", false, values::bool);
        Set<String> methods = values.optional(m, "methods", IdempotencyConfig.DEFAULT_METHODS, this::methods);
        Duration retention = values.optional(m, "retention", IdempotencyConfig.DEFAULT_RETENTION,
                n -> values.duration(n, Duration.ofSeconds(1), IdempotencyConfig.MAX_RETENTION));
        long maxResponse = values.optional(m, "max-response-size", IdempotencyConfig.DEFAULT_MAX_RESPONSE_SIZE,
                n -> values.size(n, 0, IdempotencyConfig.MAX_MAX_RESPONSE_SIZE));
        Duration lock = values.optional(m, "lock-timeout", IdempotencyConfig.DEFAULT_LOCK_TIMEOUT,
                n -> values.timeout(n, Duration.ofSeconds(1), IdempotencyConfig.MAX_LOCK_TIMEOUT));
        return new IdempotencyConfig(required, methods, retention, maxResponse, lock);
    }

    /**
     * A key's lock must outlast the request holding it, or a retry could claim the key while the first request is
     * still under way: an explicit lock-timeout shorter than the route's total is an error; the default grows to the
     * total plus 30 s.
     */
    IdempotencyConfig fitLockToTotal(IdempotencyConfig config, TotalTimeout total, YamlNode lockNode) {
        Duration needed = total.value();
        if (lockNode != null) {
            if (config.lockTimeout().compareTo(needed) < 0) {
                values.reject(lockNode, "at least the route's total timeout (" + Durations.format(needed)
                        + (total.byDefault() ? " by default" : "") + "): the key must stay locked while its request "
                        + "runs");
            }
            return config;
        }
        Duration grown = needed.plusSeconds(30);
        return grown.compareTo(config.lockTimeout()) <= 0 ? config : new IdempotencyConfig(config.required(),
                config.methods(), config.retention(), config.maxResponseSize(), grown);
    }

    private Set<String> methods(YamlNode node) {
        List<String> read = values.oneOrMany(node, item -> {
            String method = values.string(item, METHOD.asMatchPredicate(), METHODS_EXPECTED);
            if (method != null && SAFE_METHODS.contains(method)) {
                values.reject(item, METHODS_EXPECTED + "; " + method + " is safe and needs no key");
                return null;
            }
            return method;
        }, METHODS_EXPECTED);
        if (node instanceof YamlNode.Sequence list && list.items().isEmpty()) {
            values.reject(node, "at least one method, e.g. [POST]; leave the key out for POST and PATCH");
            return null;
        }
        return read == null || read.isEmpty() ? null : new LinkedHashSet<>(read);
    }

    List<String> cachePurge(YamlNode node) {
        return values.oneOrMany(node, item -> values.string(item, PURGE_PATH.asMatchPredicate(), PURGE_EXPECTED),
                "a list of " + PURGE_EXPECTED);
    }
}
