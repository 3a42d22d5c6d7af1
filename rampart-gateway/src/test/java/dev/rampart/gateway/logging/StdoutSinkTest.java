package dev.rampart.gateway.logging;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StdoutSinkTest {

    @Test
    void everyOfferedLineIsWrittenWholeAndInOrderFromManyThreads() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(out);
        List<Thread> writers = IntStream.range(0, 4).mapToObj(t -> new Thread(() -> {
            for (int i = 0; i < 5000; i++) {
                sink.offer("{\"t\":" + t + ",\"i\":" + i + ",\"text\":\"caf\u00e9\"}");
            }
        })).toList();
        writers.forEach(Thread::start);
        for (Thread writer : writers) {
            writer.join();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> countLines(out) == 20_000);

        String[] lines;
        synchronized (sink) {
            lines = out.toString(StandardCharsets.UTF_8).split("\n");
        }
        int[] next = new int[4];
        for (String line : lines) {
            assertThat(line).startsWith("{\"t\":").endsWith("\"caf\u00e9\"}");
            int t = line.charAt(5) - '0';
            int i = Integer.parseInt(line.substring(line.indexOf("\"i\":") + 4, line.indexOf(",\"text\"")));
            assertThat(i).as("thread %d's lines stay in order", t).isEqualTo(next[t]++);
        }
        assertThat(sink.dropped()).isZero();
    }

    @Test
    void aHandedOverArrayIsWrittenUpToItsLengthAndThenLentOutAgain() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(out);
        byte[] array = sink.borrow();
        assertThat(array).hasSize(StdoutSink.BUFFER_BYTES);
        byte[] lines = "{\"a\":1}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(lines, 0, array, 0, lines.length);

        sink.offer(array, lines.length, 2);
        sink.offer("{\"c\":3}");

        sink.flush(5000); // returns once every offer is written and its array back in the pool
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
        assertThat(sink.borrow()).isSameAs(array);
    }

    private static int countLines(ByteArrayOutputStream out) {
        synchronized (out) {
            byte[] bytes = out.toByteArray();
            int n = 0;
            for (byte b : bytes) {
                if (b == '\n') {
                    n++;
                }
            }
            return n;
        }
    }
}
