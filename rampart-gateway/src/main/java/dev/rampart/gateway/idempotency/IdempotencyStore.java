package dev.rampart.gateway.idempotency;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.rampart.gateway.edge.StoredResponse;
import dev.rampart.gateway.state.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idempotency records: a key is claimed by its first request (atomically, across instances when Redis is
 * configured), then holds that request's response for the retention period, or is released when the request never
 * reached a point where it could have had an effect. While Redis is away, records are kept in this process: repeats
 * on this instance are still caught, and the outage is visible in metrics, logs and {@code /readyz}.
 */
public final class IdempotencyStore {
    private static final Logger log = LoggerFactory.getLogger(IdempotencyStore.class);

    private static final byte IN_FLIGHT = 'F';
    private static final byte DONE = 'D';
    /** Done, but the response was too large to keep: a repeat cannot be answered with it. */
    private static final byte DONE_UNSTORED = 'U';
    private static final int FINGERPRINT_LENGTH = 64;

    private static final String CLAIM_SCRIPT = """
            local v = redis.call('GET', KEYS[1])
            if v then return v end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return false""";
    /** Completes only a key still held by this claim (or free again): a late answer never overwrites another's. */
    private static final String COMPLETE_SCRIPT = """
            local v = redis.call('GET', KEYS[1])
            if v and v ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1""";
    private static final String RELEASE_SCRIPT = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    /** What a request finds for its key. */
    public sealed interface Claim {
        /** The key was free and is now this request's: go upstream, then {@link #complete} or {@link #release}. */
        record Claimed(String key, Buffer record, boolean shared) implements Claim {
        }

        /** Another request with this key is still in flight. */
        record InFlight(boolean sameRequest) implements Claim {
        }

        /** A request with this key is done; its response, or null when it was too large to keep. */
        record Done(boolean sameRequest, StoredResponse response) implements Claim {
        }
    }

    private record LocalRecord(Buffer value, long expiresAtNanos) {
    }

    private final Cache<String, LocalRecord> local;
    private final SharedRedis redis;
    private final LongAdder evictions = new LongAdder();

    /**
     * @param localBytes what the in-process records may hold
     * @param redis      the shared connection, or null when the config has no Redis
     */
    public IdempotencyStore(long localBytes, SharedRedis redis) {
        this.redis = redis;
        this.local = Caffeine.newBuilder()
                .maximumWeight(localBytes)
                .weigher((String key, LocalRecord record) -> record.value().length() + key.length() * 2 + 48)
                .expireAfter(new Expiry<String, LocalRecord>() {
                    @Override
                    public long expireAfterCreate(String key, LocalRecord record, long currentTime) {
                        return Math.max(0, record.expiresAtNanos() - System.nanoTime());
                    }

                    @Override
                    public long expireAfterUpdate(String key, LocalRecord record, long currentTime,
                                                  long currentDuration) {
                        return Math.max(0, record.expiresAtNanos() - System.nanoTime());
                    }

                    @Override
                    public long expireAfterRead(String key, LocalRecord record, long currentTime,
                                                long currentDuration) {
                        return currentDuration;
                    }
                })
                .executor(Runnable::run)
                .removalListener((String key, LocalRecord record, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                        log.atWarn().addKeyValue("evicted", 1)
                                .log("idempotency record evicted before its retention ended: the local store is "
                                        + "full; raise state.idempotency-memory, or configure state.redis");
                    }
                })
                .build();
    }

    /**
     * Claims {@code key} (already scoped to its client) for a request with {@code fingerprint}, or says what holds
     * it. Never fails: when Redis does not answer, the local store decides.
     */
    public Future<Claim> claim(String key, String fingerprint, Duration lockTimeout) {
        Buffer inFlight = Buffer.buffer(FINGERPRINT_LENGTH + 40).appendByte(IN_FLIGHT).appendString(fingerprint)
                .appendString(UUID.randomUUID().toString()); // ours alone, so that a release never frees another's
        if (redis == null || !redis.up()) {
            return Future.succeededFuture(claimLocally(key, fingerprint, inFlight, lockTimeout));
        }
        return redis.send(Request.cmd(Command.EVAL).arg(CLAIM_SCRIPT).arg(1).arg(redisKey(key)).arg(inFlight)
                        .arg(lockTimeout.toMillis()))
                .map(existing -> existing == null
                        ? (Claim) new Claim.Claimed(key, inFlight, true)
                        : read(existing.toBuffer(), fingerprint))
                .recover(failure -> {
                    redis.failed(failure);
                    return Future.succeededFuture(claimLocally(key, fingerprint, inFlight, lockTimeout));
                });
    }

    private Claim claimLocally(String key, String fingerprint, Buffer inFlight, Duration lockTimeout) {
        LocalRecord mine = new LocalRecord(inFlight, System.nanoTime() + lockTimeout.toNanos());
        LocalRecord existing = local.asMap().putIfAbsent(key, mine);
        return existing == null ? new Claim.Claimed(key, inFlight, false) : read(existing.value(), fingerprint);
    }

    private static Claim read(Buffer record, String fingerprint) {
        boolean same = record.length() > FINGERPRINT_LENGTH
                && record.getString(1, 1 + FINGERPRINT_LENGTH, "US-ASCII").equals(fingerprint);
        byte kind = record.getByte(0);
        if (kind == IN_FLIGHT) {
            return new Claim.InFlight(same);
        }
        StoredResponse response = kind == DONE
                ? StoredResponse.decode(record.getBuffer(1 + FINGERPRINT_LENGTH, record.length())) : null;
        return new Claim.Done(same, response);
    }

    /**
     * The claimed request has its answer: kept for {@code retention} (null response: an answer that cannot be
     * replayed). Completes once written; never fails.
     */
    public Future<Void> complete(Claim.Claimed claim, String fingerprint, StoredResponse response, Duration retention) {
        Buffer done = Buffer.buffer().appendByte(response == null ? DONE_UNSTORED : DONE).appendString(fingerprint);
        if (response != null) {
            done.appendBuffer(response.encode());
        }
        LocalRecord record = new LocalRecord(done, System.nanoTime() + retention.toNanos());
        if (!claim.shared()) {
            local.asMap().compute(claim.key(), (k, held) -> held == null || held.value().equals(claim.record())
                    ? record : held);
            return Future.succeededFuture();
        }
        return redis.send(Request.cmd(Command.EVAL).arg(COMPLETE_SCRIPT).arg(1).arg(redisKey(claim.key()))
                        .arg(claim.record()).arg(done).arg(retention.toMillis()))
                .<Void>mapEmpty()
                .recover(failure -> {
                    redis.failed(failure);
                    // the record in Redis stays "in flight" until its lock times out; this instance knows better
                    local.put(claim.key(), record);
                    log.atWarn().addKeyValue("problem", String.valueOf(failure.getMessage()))
                            .log("idempotency record kept locally only: redis did not take it");
                    return Future.succeededFuture();
                });
    }

    /** The claimed request never reached a point where it could have had an effect: its key is free again. */
    public void release(Claim.Claimed claim) {
        if (!claim.shared()) {
            local.asMap().computeIfPresent(claim.key(), (k, record) -> record.value().equals(claim.record()) ? null : record);
            return;
        }
        redis.send(Request.cmd(Command.EVAL).arg(RELEASE_SCRIPT).arg(1).arg(redisKey(claim.key()))
                        .arg(claim.record()))
                .onFailure(redis::failed);
    }

    private String redisKey(String key) {
        return redis.keyPrefix() + "idem:" + key;
    }

    public long localRecords() {
        return local.estimatedSize();
    }

    public long evictions() {
        return evictions.sum();
    }
}
