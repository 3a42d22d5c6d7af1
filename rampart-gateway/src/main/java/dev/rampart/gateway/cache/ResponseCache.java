package dev.rampart.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.rampart.core.config.CacheConfig;
import dev.rampart.gateway.edge.StoredResponse;
import dev.rampart.gateway.state.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The gateway's response cache: entries in this process (Caffeine, bounded in bytes) or in Redis for routes that
 * share theirs; the in-process store stands in whenever Redis is away, so a Redis outage costs hits, never requests.
 * Also coordinates concurrent misses (one upstream request per key) and background refreshes (one per key).
 * Thread-safe; Redis calls are asynchronous and bounded by the shared connection's timeout.
 */
public final class ResponseCache {
    /** Redis value that records, under a primary key, the request headers its response varies on. */
    private static final byte VARY_MARKER = 'V';
    private static final String STORE_SCRIPT = """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('SADD', KEYS[2], KEYS[1])
            if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
            return 1""";
    private static final String PURGE_SCRIPT = """
            local n = 0
            for _, index in ipairs(KEYS) do
              local keys = redis.call('SMEMBERS', index)
              for _, k in ipairs(keys) do n = n + redis.call('DEL', k) end
              redis.call('DEL', index)
            end
            return n""";

    private final Cache<String, StoredResponse> entries;
    private final Cache<String, List<String>> variants;
    /** "route path " → the keys filed under it, so that purging a path does not scan the cache. */
    private final ConcurrentHashMap<String, Set<String>> byPath = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<StoredResponse>> fills = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final SharedRedis redis;
    private final LongAdder evictions = new LongAdder();

    /** @param redis the shared connection, or null when the config has no Redis */
    public ResponseCache(long localBytes, SharedRedis redis) {
        this.redis = redis;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(localBytes)
                .weigher((String key, StoredResponse value) -> value.weight() + key.length() * 2)
                .expireAfter(new Expiry<String, StoredResponse>() {
                    @Override
                    public long expireAfterCreate(String key, StoredResponse value, long currentTime) {
                        return TimeUnit.SECONDS.toNanos(keepSeconds(value));
                    }

                    @Override
                    public long expireAfterUpdate(String key, StoredResponse value, long currentTime,
                                                  long currentDuration) {
                        return TimeUnit.SECONDS.toNanos(keepSeconds(value));
                    }

                    @Override
                    public long expireAfterRead(String key, StoredResponse value, long currentTime,
                                                long currentDuration) {
                        return currentDuration;
                    }
                })
                .executor(Runnable::run)
                .removalListener((String key, StoredResponse value, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                    if (cause != RemovalCause.REPLACED && key != null) {
                        unfile(key);
                    }
                })
                .build();
        this.variants = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(CacheConfig.MAX_TTL)
                .executor(Runnable::run).build();
    }

    static long keepSeconds(StoredResponse value) {
        // freshSeconds is negative for a response that arrived stale: its windows are partly spent already
        return Math.max(1, value.freshSeconds() + Math.max(value.staleWhileRevalidate(), value.staleIfError()));
    }

    // ---- lookups -------------------------------------------------------------------------------------------------

    /**
     * The stored response for this request, fresh or stale, or null. {@code requestHeader} gives the request's
     * header values (lower-case names) for the response's {@code Vary}. Never fails: a Redis problem reads as a miss.
     */
    public Future<StoredResponse> lookup(CacheKey key, CacheConfig.Store store, Function<String, String> requestHeader) {
        String primary = key.primary();
        if (!shared(store)) {
            List<String> varyNames = variants.getIfPresent(primary);
            return Future.succeededFuture(entries.getIfPresent(varyNames == null ? primary
                    : variantKey(primary, varyNames, requestHeader)));
        }
        String prefix = redis.keyPrefix() + "cache:e:";
        return redis.send(Request.cmd(Command.GET).arg(prefix + primary))
                .compose(first -> {
                    Buffer value = bytes(first);
                    if (value == null || value.length() == 0 || value.getByte(0) != VARY_MARKER) {
                        return Future.succeededFuture(value == null ? null : StoredResponse.decode(value));
                    }
                    List<String> varyNames = List.of(value.getString(1, value.length(), "UTF-8").split(","));
                    return redis.send(Request.cmd(Command.GET)
                                    .arg(prefix + variantKey(primary, varyNames, requestHeader)))
                            .map(second -> {
                                Buffer variant = bytes(second);
                                return variant == null ? null : StoredResponse.decode(variant);
                            });
                })
                .recover(failure -> {
                    redis.failed(failure);
                    return Future.succeededFuture(null);
                });
    }

    /** Whether a route with this store uses Redis right now (false while Redis is away: the local store serves). */
    public boolean shared(CacheConfig.Store store) {
        return store == CacheConfig.Store.REDIS && redis != null && redis.up();
    }

    private static Buffer bytes(Response response) {
        return response == null ? null : response.toBuffer();
    }

    static String variantKey(String primary, List<String> varyNames, Function<String, String> requestHeader) {
        StringBuilder key = new StringBuilder(primary).append(" v");
        for (String name : varyNames) {
            String value = requestHeader.apply(name);
            key.append('\u0001').append(name).append('=').append(value == null ? "" : value.trim());
        }
        return key.toString();
    }

    // ---- storing -------------------------------------------------------------------------------------------------

    /** Files a response under its key (and, when it varies, under the request's values of those headers). */
    /** Stores an answer; the future completes when a shared store has it too (it never fails: losses are logged). */
    public Future<Void> store(CacheKey key, CacheConfig.Store store, List<String> varyNames,
                              Function<String, String> requestHeader, StoredResponse response) {
        String primary = key.primary();
        String entryKey = varyNames.isEmpty() ? primary : variantKey(primary, varyNames, requestHeader);
        if (!shared(store)) {
            if (!varyNames.isEmpty()) {
                variants.put(primary, varyNames);
                file(key.pathPrefix(), primary); // so that purging the path drops the marker too
            } else {
                variants.invalidate(primary);
            }
            file(key.pathPrefix(), entryKey);
            entries.put(entryKey, response);
            return Future.succeededFuture();
        }
        long ttlMillis = TimeUnit.SECONDS.toMillis(keepSeconds(response));
        String prefix = redis.keyPrefix() + "cache:e:";
        String index = redis.keyPrefix() + "cache:i:" + key.pathPrefix();
        Future<Response> stored = redis.send(storeRequest(prefix + entryKey, index, response.encode(), ttlMillis));
        if (!varyNames.isEmpty()) {
            Buffer marker = Buffer.buffer().appendByte(VARY_MARKER)
                    .appendString(String.join(",", varyNames), "UTF-8");
            stored = stored.compose(v -> redis.send(storeRequest(prefix + primary, index, marker, ttlMillis)));
        }
        stored.onFailure(redis::failed);
        return stored.<Void>mapEmpty().otherwiseEmpty();
    }

    private static Request storeRequest(String key, String index, Buffer value, long ttlMillis) {
        return Request.cmd(Command.EVAL).arg(STORE_SCRIPT).arg(2).arg(key).arg(index).arg(value).arg(ttlMillis);
    }

    private void file(String pathPrefix, String key) {
        byPath.computeIfAbsent(pathPrefix, p -> ConcurrentHashMap.newKeySet()).add(key);
    }

    private void unfile(String key) {
        int first = key.indexOf(' ');
        int second = first < 0 ? -1 : key.indexOf(' ', first + 1);
        if (second < 0) {
            return;
        }
        String pathPrefix = key.substring(0, second + 1);
        byPath.computeIfPresent(pathPrefix, (p, keys) -> {
            keys.remove(key);
            return keys.isEmpty() ? null : keys;
        });
    }

    // ---- purging -------------------------------------------------------------------------------------------------

    /**
     * Drops everything cached for one path of the given routes, in both stores (after a successful write: RFC 9111
     * §4.4). Completes with the number of entries dropped; never fails (a Redis problem is counted and logged by
     * the connection).
     */
    public Future<Integer> purgePath(List<String> routes, String path) {
        int dropped = 0;
        List<String> prefixes = new ArrayList<>(routes.size());
        for (String route : routes) {
            String prefix = CacheKey.pathPrefix(route, path);
            prefixes.add(prefix);
            dropped += dropLocal(prefix);
        }
        int local = dropped;
        return purgeRedis(prefixes).map(shared -> shared + local);
    }

    /**
     * Drops everything cached whose path starts with {@code pathPrefix}, for one route or (null) all. Completes
     * with the number of entries dropped.
     */
    public Future<Integer> purgePrefix(String route, String pathPrefix) {
        int dropped = 0;
        for (String filed : List.copyOf(byPath.keySet())) {
            int space = filed.indexOf(' ');
            if ((route == null || filed.substring(0, space).equals(route))
                    && filed.substring(space + 1).startsWith(pathPrefix)) {
                dropped += dropLocal(filed);
            }
        }
        int local = dropped;
        if (redis == null || !redis.up()) {
            return Future.succeededFuture(local);
        }
        String pattern = redis.keyPrefix() + "cache:i:" + (route == null ? "*" : glob(route)) + " " + glob(pathPrefix)
                + "*";
        return scanAndPurge(pattern, "0", 0).map(shared -> shared + local);
    }

    private Future<Integer> scanAndPurge(String pattern, String cursor, int droppedSoFar) {
        return redis.sendEvenIfDown(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern)
                        .arg("COUNT").arg(1000), 2_000)
                .compose(page -> {
                    String next = page.get(0).toString();
                    List<String> indexes = new ArrayList<>();
                    for (Response key : page.get(1)) {
                        indexes.add(key.toString());
                    }
                    Future<Integer> purged = indexes.isEmpty() ? Future.succeededFuture(0) : purgeIndexes(indexes);
                    return purged.compose(n -> next.equals("0") ? Future.succeededFuture(droppedSoFar + n)
                            : scanAndPurge(pattern, next, droppedSoFar + n));
                });
    }

    private Future<Integer> purgeRedis(List<String> pathPrefixes) {
        if (redis == null || !redis.up() || pathPrefixes.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<String> indexes = new ArrayList<>(pathPrefixes.size());
        for (String prefix : pathPrefixes) {
            indexes.add(redis.keyPrefix() + "cache:i:" + prefix);
        }
        return purgeIndexes(indexes).recover(failure -> {
            redis.failed(failure);
            return Future.succeededFuture(0);
        });
    }

    private Future<Integer> purgeIndexes(List<String> indexes) {
        Request purge = Request.cmd(Command.EVAL).arg(PURGE_SCRIPT).arg(indexes.size());
        indexes.forEach(purge::arg);
        return redis.sendEvenIfDown(purge, Math.max(redis.timeoutMillis(), 1_000)).map(Response::toInteger);
    }

    private int dropLocal(String pathPrefix) {
        Set<String> keys = byPath.remove(pathPrefix);
        if (keys == null) {
            return 0;
        }
        int dropped = 0;
        for (String key : keys) {
            if (entries.asMap().remove(key) != null) {
                dropped++;
            }
            variants.invalidate(key);
        }
        return dropped;
    }

    /** {@code text} with Redis glob's special characters escaped. */
    static String glob(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    // ---- coalescing and refreshing -------------------------------------------------------------------------------

    /**
     * Joins the upstream request already under way for this key: its result (null when it stored nothing). Null
     * when there is none: the caller is then the one to fetch, and must call {@link #fillDone} exactly once.
     */
    public CompletableFuture<StoredResponse> joinFill(String primary) {
        CompletableFuture<StoredResponse> mine = new CompletableFuture<>();
        CompletableFuture<StoredResponse> existing = fills.putIfAbsent(primary, mine);
        return existing;
    }

    /**
     * The fetch for a key is over: everyone who joined it gets {@code stored} (null: go upstream yourselves). Until
     * {@code persisted} completes (a shared store has the answer), requests arriving late join the finished fetch
     * too, rather than miss in the store and fetch again.
     */
    public void fillDone(String primary, StoredResponse stored, Future<Void> persisted) {
        CompletableFuture<StoredResponse> fill = fills.get(primary);
        if (fill == null) {
            return;
        }
        fill.complete(stored);
        if (stored == null || persisted.isComplete()) {
            fills.remove(primary, fill);
        } else {
            persisted.onComplete(done -> fills.remove(primary, fill));
        }
    }

    /** Claims the one background refresh of a key; false when one is under way already. */
    public boolean startRefresh(String primary) {
        return refreshing.add(primary);
    }

    public void refreshDone(String primary) {
        refreshing.remove(primary);
    }

    // ---- for metrics and the admin API ---------------------------------------------------------------------------

    /** Whether entries kept in Redis are out of reach now: Redis is configured but counts as down. */
    public boolean sharedStoreUnreachable() {
        return redis != null && !redis.up();
    }

    public long localBytes() {
        return entries.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    public long localEntries() {
        return entries.estimatedSize();
    }

    public long evictions() {
        return evictions.sum();
    }
}
