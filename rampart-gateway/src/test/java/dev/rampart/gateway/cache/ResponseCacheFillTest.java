package dev.rampart.gateway.cache;

import dev.rampart.gateway.edge.StoredResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseCacheFillTest {
    private final ResponseCache cache = new ResponseCache(1024 * 1024, null);

    private static StoredResponse answer() {
        return new StoredResponse(200, List.of(), Buffer.buffer("price"), 0, 60, 0, 0, 0);
    }

    @Test
    void theFirstRequestFetchesAndTheOthersJoinIt() {
        assertThat(cache.joinFill("k")).as("the first: no fill yet, it fetches").isNull();
        CompletableFuture<StoredResponse> joined = cache.joinFill("k");
        assertThat(joined).isNotNull().isNotDone();

        StoredResponse stored = answer();
        cache.fillDone("k", stored, Future.succeededFuture());

        assertThat(joined).isCompletedWithValue(stored);
        assertThat(cache.joinFill("k")).as("stored locally: the next request starts over").isNull();
    }

    @Test
    void aLateArrivalJoinsTheFinishedFillUntilTheSharedStoreHasTheAnswer() {
        assertThat(cache.joinFill("k")).isNull();
        StoredResponse stored = answer();
        Promise<Void> persisted = Promise.promise();

        cache.fillDone("k", stored, persisted.future());

        assertThat(cache.joinFill("k")).as("Redis does not have it yet").isCompletedWithValue(stored);
        persisted.complete();
        assertThat(cache.joinFill("k")).as("Redis has it: look there").isNull();
    }

    @Test
    void aFetchThatStoredNothingSendsTheOthersUpstreamAndIsNotJoinedAgain() {
        assertThat(cache.joinFill("k")).isNull();
        CompletableFuture<StoredResponse> joined = cache.joinFill("k");

        cache.fillDone("k", null, Promise.<Void>promise().future());

        assertThat(joined).isCompletedWithValue(null);
        assertThat(cache.joinFill("k")).isNull();
    }
}
