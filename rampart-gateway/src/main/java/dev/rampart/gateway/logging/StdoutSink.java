package dev.rampart.gateway.logging;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one writer of stdout: JSON lines from the access log and from application logs go through a bounded queue to a
 * single thread, so event loops never block on a slow terminal or pipe and lines never interleave.
 * When the queue is full a line is dropped and counted rather than stalling request handling.
 */
public final class StdoutSink {
    /** The arrays the access log fills and hands over whole; written ones come back through {@link #borrow()}. */
    public static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_SPARE_BUFFERS = 16;
    private static final int CAPACITY = 65_536;
    private static final long MAX_QUEUED_BYTES = 32L * 1024 * 1024;
    private static final long WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final StdoutSink INSTANCE = new StdoutSink(new FileOutputStream(FileDescriptor.out));

    private record Chunk(byte[] bytes, int length, int lines) {
    }

    private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(CAPACITY);
    private final Queue<byte[]> spare = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spareCount = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Offers accepted and not yet written: what {@link #flush} waits for (a taken offer is no longer queued). */
    private final AtomicLong unwritten = new AtomicLong();
    private final OutputStream out;
    /** Stdout's channel, for gathering writes; null for any other stream. */
    private final FileChannel channel;
    private final Thread writer;

    /** A sink writing to {@code out} instead of stdout: for tests and embedding. */
    public StdoutSink(OutputStream out) {
        this.out = out;
        this.channel = out instanceof FileOutputStream file ? file.getChannel() : null;
        this.writer = new Thread(this::drainForever, "rampart-stdout-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public static StdoutSink get() {
        return INSTANCE;
    }

    /** Queues one line (without its newline). Never blocks. */
    public void offer(String line) {
        byte[] bytes = (line + '\n').getBytes(StandardCharsets.UTF_8);
        offer(bytes, bytes.length, 1);
    }

    /**
     * Queues {@code length} bytes of {@code bytes}: {@code lines} whole lines, each ending in a newline. The array
     * is the sink's from now on. Never blocks.
     */
    public void offer(byte[] bytes, int length, int lines) {
        if (length == 0) {
            recycle(bytes);
            return;
        }
        unwritten.incrementAndGet();
        if (queuedBytes.addAndGet(length) > MAX_QUEUED_BYTES || !chunks.offer(new Chunk(bytes, length, lines))) {
            queuedBytes.addAndGet(-length);
            unwritten.decrementAndGet();
            dropped.addAndGet(lines);
            recycle(bytes);
        }
    }

    /** An empty array of {@link #BUFFER_BYTES} to fill and {@link #offer(byte[], int, int) offer}. */
    public byte[] borrow() {
        byte[] array = spare.poll();
        if (array == null) {
            return new byte[BUFFER_BYTES];
        }
        spareCount.decrementAndGet();
        return array;
    }

    private void recycle(byte[] array) {
        if (array.length == BUFFER_BYTES && spareCount.incrementAndGet() <= MAX_SPARE_BUFFERS) {
            spare.offer(array);
        } else if (array.length == BUFFER_BYTES) {
            spareCount.decrementAndGet();
        }
    }

    /** Lines dropped because the writer could not keep up. */
    public long dropped() {
        return dropped.get();
    }

    /** Waits, bounded, until what was queued so far is written: for shutdown. */
    public void flush(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        LockSupport.unpark(writer);
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
        List<Chunk> batch = new ArrayList<>(1024);
        List<ByteBuffer> gather = new ArrayList<>(1024);
        long idleNanos = WRITE_INTERVAL_NANOS;
        while (true) {
            Chunk first = chunks.poll();
            if (first == null) {
                // polling on a timer, not a blocking take(): a waiting taker makes every offer wake it with a futex
                // call on the offering event loop; this way the loops only enqueue, and this thread wakes at most
                // every WRITE_INTERVAL while lines come, backing off while none do
                LockSupport.parkNanos(idleNanos);
                idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
                if (Thread.interrupted()) {
                    return;
                }
                continue;
            }
            idleNanos = WRITE_INTERVAL_NANOS;
            batch.add(first);
            synchronized (this) {
                chunks.drainTo(batch, 4096);
                try {
                    for (Chunk chunk : batch) {
                        gather.add(ByteBuffer.wrap(chunk.bytes, 0, chunk.length));
                    }
                    long lost = dropped.getAndSet(0);
                    if (lost > 0) {
                        gather.add(ByteBuffer.wrap(("{\"level\":\"WARN\",\"logger\":\"rampart.stdout\",\"message\":"
                                + "\"log lines dropped: stdout is slower than the log rate\",\"dropped\":" + lost
                                + "}\n").getBytes(StandardCharsets.UTF_8)));
                    }
                    write(gather);
                } catch (IOException e) {
                    dropped.addAndGet(1);
                }
                gather.clear();
                long bytes = 0;
                for (Chunk chunk : batch) {
                    bytes += chunk.length;
                    recycle(chunk.bytes);
                }
                queuedBytes.addAndGet(-bytes);
                unwritten.addAndGet(-batch.size());
                batch.clear();
            }
        }
    }

    /**
     * One gathering write for everything taken: each write to a file costs a fixed part (the inode's times, block
     * reservation) besides its bytes.
     */
    private void write(List<ByteBuffer> buffers) throws IOException {
        if (channel == null) {
            for (ByteBuffer buffer : buffers) {
                out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            }
            out.flush();
            return;
        }
        ByteBuffer[] all = buffers.toArray(new ByteBuffer[0]);
        int first = 0;
        while (first < all.length) {
            channel.write(all, first, all.length - first);
            while (first < all.length && !all[first].hasRemaining()) {
                first++;
            }
        }
    }
}
