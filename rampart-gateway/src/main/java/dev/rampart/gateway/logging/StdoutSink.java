package dev.rampart.gateway.logging;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one writer of stdout: JSON lines from the access log and from application logs go through a bounded queue to a
 * single thread, so event loops never block on a slow terminal or pipe and lines never interleave.
 * When the queue is full a line is dropped and counted rather than stalling request handling.
 */
public final class StdoutSink {
    private static final int CAPACITY = 65_536;
    private static final StdoutSink INSTANCE = new StdoutSink(new FileOutputStream(FileDescriptor.out));

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    /** Offers accepted and not yet written: what {@link #flush} waits for (a taken offer is no longer queued). */
    private final AtomicLong unwritten = new AtomicLong();
    private final OutputStream out;
    private final Thread writer;

    /** A sink writing to {@code out} instead of stdout: for tests and embedding. */
    public StdoutSink(OutputStream out) {
        this.out = out;
        this.writer = new Thread(this::drainForever, "rampart-stdout-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public static StdoutSink get() {
        return INSTANCE;
    }

    /** Queues one line (without its newline). Never blocks. */
    public void offer(String line) {
        unwritten.incrementAndGet();
        if (!lines.offer(line)) {
            unwritten.decrementAndGet();
            dropped.incrementAndGet();
        }
    }

    /** Queues several lines at once, each already ending in a newline. Never blocks. */
    public void offerLines(String linesWithNewlines) {
        unwritten.incrementAndGet();
        if (!lines.offer(linesWithNewlines)) {
            unwritten.decrementAndGet();
            dropped.addAndGet(linesWithNewlines.chars().filter(c -> c == '\n').count());
        }
    }

    /** Lines dropped because the writer could not keep up. */
    public long dropped() {
        return dropped.get();
    }

    /** Waits, bounded, until what was queued so far is written: for shutdown. */
    public void flush(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (unwritten.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (this) { // the writer holds this lock while a batch is being written
            try {
                out.flush();
            } catch (IOException ignored) {
                // stdout is gone; nothing else to tell it to
            }
        }
    }

    private void drainForever() {
        List<String> batch = new ArrayList<>(1024);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        while (true) {
            String first;
            try {
                // a blocking take: each offer may cost the offering thread a futex wake, which is cheap because the
                // access log hands over batches (a few dozen a second), not lines; polling instead would wake this
                // thread, and preempt the event loop sharing its core, a thousand times a second
                first = lines.take();
            } catch (InterruptedException e) {
                return;
            }
            batch.add(first);
            synchronized (this) {
                lines.drainTo(batch, 4096);
                bytes.reset();
                for (String line : batch) {
                    bytes.writeBytes(line.getBytes(StandardCharsets.UTF_8));
                    if (line.isEmpty() || line.charAt(line.length() - 1) != '\n') {
                        bytes.write('\n');
                    }
                }
                int taken = batch.size();
                batch.clear();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    bytes.writeBytes(("{\"level\":\"WARN\",\"logger\":\"rampart.stdout\",\"message\":"
                            + "\"log lines dropped: stdout is slower than the log rate\",\"dropped\":" + lost + "}\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
                try {
                    bytes.writeTo(out);
                    if (lines.isEmpty()) {
                        out.flush();
                    }
                } catch (IOException e) {
                    dropped.addAndGet(1);
                }
                unwritten.addAndGet(-taken);
            }
        }
    }
}
