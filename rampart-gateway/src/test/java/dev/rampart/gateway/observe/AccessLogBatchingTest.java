package dev.rampart.gateway.observe;

import dev.rampart.core.config.AccessLogConfig;
import dev.rampart.gateway.logging.StdoutSink;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class AccessLogBatchingTest {
    private final Vertx vertx = Vertx.vertx();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AccessLog log = new AccessLog("s", AccessLogConfig.defaults(), new StdoutSink(out));

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private static ExchangeRecord record(int i) {
        return new ExchangeRecord(0, "r", "u", null, "GET", "/p/" + i, null, 200, 0, 200, 0, 0, "id-" + i, null,
                null, -1, -1, -1, -1, null, null);
    }

    private String written() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void linesLoggedOnAnEventLoopReachTheSinkWithinMillisecondsEvenWhenTrafficStops() throws Exception {
        CountDownLatch logged = new CountDownLatch(1);
        vertx.runOnContext(v -> {
            for (int i = 0; i < 3; i++) {
                log.finished(record(i));
            }
            logged.countDown();
        });
        assertThat(logged.await(5, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(2)).until(() -> written().split("\n").length == 3);
        assertThat(written()).contains("\"request_id\":\"id-0\"", "\"request_id\":\"id-2\"").endsWith("}\n");
    }

    @Test
    void aBusyEventLoopHandsOverFullBatchesAndKeepsEveryLineInOrder() throws Exception {
        CountDownLatch logged = new CountDownLatch(1);
        vertx.runOnContext(v -> {
            for (int i = 0; i < 5000; i++) {
                log.finished(record(i));
            }
            logged.countDown();
        });
        assertThat(logged.await(10, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> written().split("\n").length == 5000);
        String[] lines = written().split("\n");
        for (int i = 0; i < lines.length; i++) {
            assertThat(lines[i]).contains("\"request_id\":\"id-" + i + "\"");
        }
    }

    @Test
    void linesLoggedOffTheEventLoopsAreWrittenDirectly() {
        log.finished(record(7));

        await().atMost(Duration.ofSeconds(2)).until(() -> written().contains("\"request_id\":\"id-7\""));
    }

    @Test
    void flushAllHandsOverWhatIsPendingWithoutWaitingForTheTimer() throws Exception {
        CountDownLatch logged = new CountDownLatch(1);
        vertx.runOnContext(v -> {
            log.finished(record(1));
            log.flushAll();
            logged.countDown();
        });
        assertThat(logged.await(5, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(2)).until(() -> written().contains("\"request_id\":\"id-1\""));
    }
}
