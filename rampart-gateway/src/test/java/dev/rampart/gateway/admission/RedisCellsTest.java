package dev.rampart.gateway.admission;

import dev.rampart.core.config.RedisStateConfig;
import dev.rampart.gateway.state.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The shared GCRA cells against the machine's Redis on 127.0.0.1:6379 (skipped when it does not answer). */
class RedisCellsTest {
    private static final long SECOND_MICROS = 1_000_000;

    private Vertx vertx;
    private SharedRedis redis;
    private RedisCells cells;

    @BeforeEach
    void connect() {
        assumeThat(redisAnswers())
                .as("RedisCellsTest needs Redis on 127.0.0.1:6379; it does not answer, so the test is skipped")
                .isTrue();
        vertx = Vertx.vertx();
        redis = new SharedRedis(vertx, new RedisStateConfig(URI.create("redis://127.0.0.1:6379"),
                Duration.ofSeconds(2), 1, "rampart-cells-test-" + UUID.randomUUID() + ":"));
        cells = new RedisCells(redis);
    }

    @AfterEach
    void close() throws Exception {
        if (vertx != null) {
            redis.close();
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theDecisionsOfOneEventLoopTurnGoInOneScriptCallAndAreDecidedInArrivalOrder() throws Exception {
        long callsBefore = scriptCalls();
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> {
            List<Future<RedisCells.Verdict>> five = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                five.add(cells.decide(List.of("burst-of-3"), new long[] {SECOND_MICROS},
                        new long[] {2 * SECOND_MICROS}, 1));
            }
            return five;
        });

        assertThat(verdicts).extracting(RedisCells.Verdict::allowed).containsExactly(true, true, true, false, false);
        assertThat(verdicts).extracting(v -> v.remaining()[0]).containsExactly(2L, 1L, 0L, 0L, 0L);
        assertThat(verdicts.get(3).retryAfterNanos()[0]).isBetween(900_000_000L, 1_000_000_000L);
        assertThat(scriptCalls() - callsBefore).as("one EVAL/EVALSHA for the whole turn").isEqualTo(1);
    }

    @Test
    void aCallReadsAndWritesEachOfItsCellsOnceHoweverManyOfItsDecisionsShareThem() throws Exception {
        long getsBefore = commandCalls("get");
        long setsBefore = commandCalls("set");
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> {
            List<Future<RedisCells.Verdict>> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add(cells.decide(List.of("busy", "route-wide"), new long[] {SECOND_MICROS, SECOND_MICROS},
                        new long[] {20 * SECOND_MICROS, 100 * SECOND_MICROS}, 1));
            }
            return ten;
        });

        assertThat(verdicts).allMatch(RedisCells.Verdict::allowed);
        assertThat(verdicts).extracting(v -> v.remaining()[0]).containsExactly(20L, 19L, 18L, 17L, 16L, 15L, 14L,
                13L, 12L, 11L);
        assertThat(commandCalls("get") - getsBefore).as("GETs: one per cell").isEqualTo(2);
        assertThat(commandCalls("set") - setsBefore).as("SETs: one per cell").isEqualTo(2);
        // what the call left in Redis is what ten calls of one decision each would have left
        RedisCells.Verdict next = cells.decide(List.of("busy", "route-wide"), new long[] {SECOND_MICROS,
                SECOND_MICROS}, new long[] {20 * SECOND_MICROS, 100 * SECOND_MICROS}, 1).await(5, TimeUnit.SECONDS);
        assertThat(next.remaining()[0]).isBetween(10L, 11L);
        assertThat(next.remaining()[1]).isBetween(90L, 91L);
    }

    @Test
    void aDecisionRefusedByOneOfItsLimitsTakesNothingFromTheOthersAndTheNextDecisionSeesThat() throws Exception {
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> List.of(
                // takes the only place in "tight" and one of five in "wide"
                cells.decide(List.of("tight", "wide"), new long[] {SECOND_MICROS, SECOND_MICROS},
                        new long[] {0, 4 * SECOND_MICROS}, 1),
                // refused by "tight": "wide" keeps its four
                cells.decide(List.of("tight", "wide"), new long[] {SECOND_MICROS, SECOND_MICROS},
                        new long[] {0, 4 * SECOND_MICROS}, 1),
                cells.decide(List.of("wide"), new long[] {SECOND_MICROS}, new long[] {4 * SECOND_MICROS}, 1)));

        assertThat(verdicts).extracting(RedisCells.Verdict::allowed).containsExactly(true, false, true);
        assertThat(verdicts.get(0).remaining()).containsExactly(0, 4);
        assertThat(verdicts.get(1).retryAfterNanos()[0]).isPositive();
        assertThat(verdicts.get(2).remaining()).as("the refused decision took nothing from wide").containsExactly(3);
    }

    @Test
    void moreDecisionsThanOneCallHoldsAreAllAnsweredEachCallInOrder() throws Exception {
        int count = RedisCells.MAX_BATCH * 2 + 5;
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> {
            List<Future<RedisCells.Verdict>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(cells.decide(List.of("wide"), new long[] {SECOND_MICROS}, new long[] {999 * SECOND_MICROS},
                        1));
            }
            return all;
        });

        assertThat(verdicts).hasSize(count).allMatch(RedisCells.Verdict::allowed);
        // the calls may travel on different pooled connections, so Redis may run them in any order; within one call
        // the decisions are taken in arrival order, and together they took exactly one place each
        for (int i = 0; i < count; i++) {
            if (i % RedisCells.MAX_BATCH != 0) {
                assertThat(verdicts.get(i).remaining()[0]).as("decision %d, after %d in its call", i, i - 1)
                        .isEqualTo(verdicts.get(i - 1).remaining()[0] - 1);
            }
        }
        List<Long> remaining = verdicts.stream().map(v -> v.remaining()[0]).toList();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(999L - i);
        }
        assertThat(remaining).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aRedisThatForgotTheScriptStillDecidesTheNextBatch() throws Exception {
        onOneTurn(() -> List.of(cells.decide(List.of("c"), new long[] {SECOND_MICROS}, new long[] {0}, 1)));
        redis.sendEvenIfDown(Request.cmd(Command.SCRIPT).arg("FLUSH"), 2_000).await(5, TimeUnit.SECONDS);

        List<RedisCells.Verdict> verdicts = onOneTurn(() -> List.of(
                cells.decide(List.of("d"), new long[] {SECOND_MICROS}, new long[] {0}, 1),
                cells.decide(List.of("d"), new long[] {SECOND_MICROS}, new long[] {0}, 1)));

        assertThat(verdicts).extracting(RedisCells.Verdict::allowed).containsExactly(true, false);
        assertThat(redis.failures()).isZero();
    }

    @Test
    void aDecisionAskedForOutsideAnEventLoopIsSentAtOnce() throws Exception {
        RedisCells.Verdict verdict = cells.decide(List.of("e"), new long[] {SECOND_MICROS}, new long[] {0}, 1)
                .await(5, TimeUnit.SECONDS);

        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.remaining()).containsExactly(0);
    }

    @Test
    void aSetOfPlacesInFlightAdmitsUpToItsMostAndAPlaceGivenBackIsFreeAgain() throws Exception {
        RedisCells.InFlight first = places("inflight/x", 2, 60 * SECOND_MICROS);
        RedisCells.InFlight second = places("inflight/x", 2, 60 * SECOND_MICROS);
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> List.of(
                placesOnly(first), placesOnly(second), placesOnly(places("inflight/x", 2, 60 * SECOND_MICROS))));

        assertThat(verdicts).extracting(RedisCells.Verdict::allowed).containsExactly(true, true, false);
        assertThat(verdicts.get(2).tooManyConcurrent()).isTrue();

        cells.release(first).await(5, TimeUnit.SECONDS);
        List<RedisCells.Verdict> after = onOneTurn(() -> List.of(
                placesOnly(places("inflight/x", 2, 60 * SECOND_MICROS))));
        assertThat(after.get(0).allowed()).as("the place given back").isTrue();
    }

    @Test
    void aPlaceNobodyGaveBackIsFreeAgainOnceItsLeaseRunsOut() throws Exception {
        long lease = 300_000;
        assertThat(onOneTurn(() -> List.of(placesOnly(places("inflight/y", 1, lease)),
                placesOnly(places("inflight/y", 1, lease)))))
                .extracting(RedisCells.Verdict::allowed).containsExactly(true, false);

        Thread.sleep(lease / 1_000 + 100);

        assertThat(onOneTurn(() -> List.of(placesOnly(places("inflight/y", 1, lease)))).get(0).allowed()).isTrue();
    }

    @Test
    void aRequestRefusedForWantOfAPlaceTakesNothingFromItsRateLimits() throws Exception {
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> List.of(
                cells.decide(List.of("rate"), new long[] {SECOND_MICROS}, new long[] {2 * SECOND_MICROS}, 1,
                        places("inflight/z", 1, 60 * SECOND_MICROS)),
                cells.decide(List.of("rate"), new long[] {SECOND_MICROS}, new long[] {2 * SECOND_MICROS}, 1,
                        places("inflight/z", 1, 60 * SECOND_MICROS)),
                cells.decide(List.of("rate"), new long[] {SECOND_MICROS}, new long[] {2 * SECOND_MICROS}, 1)));

        assertThat(verdicts.get(0).allowed()).isTrue();
        assertThat(verdicts.get(0).remaining()).containsExactly(2);
        assertThat(verdicts.get(1).allowed()).isFalse();
        assertThat(verdicts.get(1).tooManyConcurrent()).as("refused for the place, not the rate").isTrue();
        assertThat(verdicts.get(2).remaining()).as("the refused request took nothing").containsExactly(1);
    }

    @Test
    void aRequestRefusedByARateLimitTakesNoPlace() throws Exception {
        List<RedisCells.Verdict> verdicts = onOneTurn(() -> List.of(
                cells.decide(List.of("one"), new long[] {SECOND_MICROS}, new long[] {0}, 1),
                cells.decide(List.of("one"), new long[] {SECOND_MICROS}, new long[] {0}, 1,
                        places("inflight/w", 1, 60 * SECOND_MICROS)),
                placesOnly(places("inflight/w", 1, 60 * SECOND_MICROS))));

        assertThat(verdicts.get(1).allowed()).isFalse();
        assertThat(verdicts.get(1).tooManyConcurrent()).isFalse();
        assertThat(verdicts.get(2).allowed()).as("the set's one place is still free").isTrue();
    }

    private RedisCells.InFlight places(String set, int most, long leaseMicros) {
        return new RedisCells.InFlight(List.of(set), new int[] {most}, leaseMicros, cells.newMember());
    }

    private Future<RedisCells.Verdict> placesOnly(RedisCells.InFlight places) {
        return cells.decide(List.of(), new long[0], new long[0], 1, places);
    }

    /** Asks for the decisions within one task on an event loop and waits for their answers. */
    private List<RedisCells.Verdict> onOneTurn(Supplier<List<Future<RedisCells.Verdict>>> decisions)
            throws Exception {
        CompletableFuture<List<RedisCells.Verdict>> answers = new CompletableFuture<>();
        vertx.runOnContext(v -> Future.all(decisions.get()).onComplete(ar -> {
            if (ar.failed()) {
                answers.completeExceptionally(ar.cause());
            } else {
                answers.complete(ar.result().list());
            }
        }));
        return answers.get(10, TimeUnit.SECONDS);
    }

    /** Calls of one command Redis has run since it started, its scripts' included. */
    private long commandCalls(String command) throws Exception {
        String stats = redis.sendEvenIfDown(Request.cmd(Command.INFO).arg("commandstats"), 2_000)
                .await(5, TimeUnit.SECONDS).toString();
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private long scriptCalls() throws Exception {
        String stats = redis.sendEvenIfDown(Request.cmd(Command.INFO).arg("commandstats"), 2_000)
                .await(5, TimeUnit.SECONDS).toString();
        long calls = 0;
        Matcher m = Pattern.compile("cmdstat_(?:eval|evalsha):calls=(\\d+)").matcher(stats);
        while (m.find()) {
            calls += Long.parseLong(m.group(1));
        }
        return calls;
    }

    private static boolean redisAnswers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
