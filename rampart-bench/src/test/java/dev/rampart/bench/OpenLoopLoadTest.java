package dev.rampart.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenLoopLoadTest {

  private Vertx serverVertx;
  private Vertx loadVertx;

  @BeforeEach
  void startVertx() {
    // separate instances so that the server's work never delays the generator's timer
    serverVertx = Vertx.vertx();
    loadVertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() throws Exception {
    loadVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    serverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void holdsTheTargetRateAgainstAServerThatAnswersAfterAFixedDelay() throws Exception {
    int port = serve(req -> serverVertx.setTimer(2, id -> req.response().end("ok")));

    LoadReport report = run(options(port, 500)
        .duration(Duration.ofSeconds(2))
        .warmup(Duration.ofMillis(300))
        .connections(8)
        .build());

    assertThat(report.sent()).isEqualTo(1000);
    assertThat(report.completed()).isEqualTo(1000);
    assertThat(report.errors().total()).isZero();
    // the window is 2 s of wall time: on a busy 2-core CI box one pause of the test's JVM can stretch it by
    // a few hundred ms; a generator that paced itself wrongly would be off by far more than this
    assertThat(report.achievedRate()).isCloseTo(500, org.assertj.core.data.Percentage.withPercentage(25));
    assertThat(report.latency().count()).isEqualTo(1000);
    assertThat(report.latency().p50()).isGreaterThanOrEqualTo(2_000);
    assertThat(report.latency().p50()).isLessThan(50_000);
  }

  @Test
  void aServerThatCannotKeepUpShowsAnAchievedRateBelowTheTarget() throws Exception {
    // one connection to a server that takes 10 ms or more: at most ~100 responses per second
    int port = serve(req -> serverVertx.setTimer(10, id -> req.response().end("ok")));

    LoadReport report = run(options(port, 200)
        .duration(Duration.ofSeconds(1))
        .warmup(Duration.ZERO)
        .connections(1)
        .build());

    assertThat(report.completed()).isEqualTo(200);
    assertThat(report.achievedRate()).isBetween(30.0, 120.0);
    // the queue grows for the whole second: the last requests waited about a second
    assertThat(report.latency().max()).isGreaterThan(700_000);
  }

  @Test
  void aStallOf500msShowsUpInTheTailBecauseLatencyCountsFromTheIntendedSendTime() throws Exception {
    AtomicLong seen = new AtomicLong();
    int port = serve(req -> {
      if (seen.incrementAndGet() == 200) {
        serverVertx.setTimer(500, id -> req.response().end("late"));
      } else {
        req.response().end("ok");
      }
    });

    // One connection, no pipelining: during the stall every later request waits in the client's
    // queue. 400 requests, 100 of them intended during the stall.
    LoadReport report = run(options(port, 200)
        .duration(Duration.ofSeconds(2))
        .warmup(Duration.ZERO)
        .connections(1)
        .build());

    assertThat(report.errors().total()).isZero();
    assertThat(report.completed()).isEqualTo(400);
    // corrected: a quarter of the requests waited, from 500 ms down to nothing
    assertThat(report.latency().p99()).isGreaterThan(400_000);
    assertThat(report.latency().p90()).isGreaterThan(200_000);
    assertThat(report.latency().p50()).isLessThan(100_000);
    // uncorrected, the stall counts once: one request of 400 is beyond p99
    assertThat(report.serviceTime().max()).isGreaterThanOrEqualTo(500_000);
    assertThat(report.serviceTime().p99()).isLessThan(100_000);
  }

  @Test
  void countsConnectErrorsWhenNothingListensOnThePort() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    LoadReport report = run(options(closedPort, 50)
        .duration(Duration.ofSeconds(1))
        .warmup(Duration.ZERO)
        .requestTimeout(Duration.ofSeconds(1))
        .build());

    assertThat(report.sent()).isEqualTo(50);
    assertThat(report.completed()).isZero();
    assertThat(report.errors()).isEqualTo(new LoadReport.Errors(0, 50, 0, 0));
    assertThat(report.latency().count()).isZero();
  }

  @Test
  void countsNon2xxResponsesAsStatusErrors() throws Exception {
    int port = serve(req -> req.response().setStatusCode(503).end("busy"));

    LoadReport report = run(options(port, 100)
        .duration(Duration.ofMillis(500))
        .warmup(Duration.ZERO)
        .build());

    assertThat(report.sent()).isEqualTo(50);
    assertThat(report.completed()).isEqualTo(50);
    assertThat(report.errors()).isEqualTo(new LoadReport.Errors(0, 0, 50, 0));
  }

  @Test
  void countsTimeoutsWhenTheServerNeverAnswers() throws Exception {
    int port = serve(req -> { });

    LoadReport report = run(options(port, 40)
        .duration(Duration.ofMillis(500))
        .warmup(Duration.ZERO)
        .connections(4)
        .requestTimeout(Duration.ofMillis(200))
        .build());

    assertThat(report.sent()).isEqualTo(20);
    assertThat(report.completed()).isZero();
    assertThat(report.errors().timeout()).isEqualTo(20);
    assertThat(report.errors().total()).isEqualTo(20);
  }

  @Test
  void sendsTheConfiguredMethodBodyAndHeaders() throws Exception {
    AtomicLong matching = new AtomicLong();
    int port = serve(req -> req.body().onSuccess(body -> {
      if (req.method().name().equals("POST") && body.length() == 1024
          && "yes".equals(req.getHeader("x-bench"))) {
        matching.incrementAndGet();
      }
      req.response().end();
    }));

    LoadReport report = run(options(port, 100)
        .duration(Duration.ofMillis(300))
        .warmup(Duration.ZERO)
        .method(io.vertx.core.http.HttpMethod.POST)
        .bodyBytes(1024)
        .header("x-bench", "yes")
        .build());

    assertThat(report.completed()).isEqualTo(30);
    assertThat(matching.get()).isEqualTo(30);
  }

  @Test
  void reportPrintsAsOneJsonLineAndAsATable() throws Exception {
    int port = serve(req -> req.response().end("ok"));

    LoadReport report = run(options(port, 100)
        .duration(Duration.ofMillis(200))
        .warmup(Duration.ZERO)
        .build());

    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(report.toJsonLine());
    assertThat(report.toJsonLine()).doesNotContain("\n");
    assertThat(json.getLong("sent")).isEqualTo(20);
    assertThat(json.getJsonObject("errors").getLong("connect")).isZero();
    assertThat(json.getJsonObject("latency").getLong("p99_us")).isPositive();
    assertThat(report.toTable()).contains("p99.9", "corrected", "achieved");
  }

  @Test
  void optionsRejectValuesOutOfRangeNamingTheField() {
    URI url = URI.create("http://127.0.0.1:1/");
    assertThatThrownBy(() -> OpenLoopLoad.Options.builder(url, 0).build())
        .hasMessageContaining("ratePerSecond: 0 (expected: 1..");
    assertThatThrownBy(() -> OpenLoopLoad.Options.builder(url, 10).connections(0).build())
        .hasMessageContaining("connections: 0");
    assertThatThrownBy(() -> OpenLoopLoad.Options.builder(URI.create("https://x/"), 10).build())
        .hasMessageContaining("url: https://x/ (expected: http://");
    assertThatThrownBy(() -> OpenLoopLoad.Options.builder(url, 10).warmup(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("warmup");
  }

  private static OpenLoopLoad.Options.Builder options(int port, int rate) {
    return OpenLoopLoad.Options.builder(URI.create("http://127.0.0.1:" + port + "/"), rate);
  }

  private int serve(Handler<HttpServerRequest> handler) throws Exception {
    HttpServer server = serverVertx.createHttpServer().requestHandler(handler);
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
  }

  private LoadReport run(OpenLoopLoad.Options options) throws Exception {
    return OpenLoopLoad.run(loadVertx, options).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }
}
