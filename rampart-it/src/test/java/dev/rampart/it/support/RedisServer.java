package dev.rampart.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} on a free loopback port, started by the test that needs it, so that stopping it
 * (as a test of Redis failing does) never disturbs anyone else. Nothing is persisted: a restart on the same port
 * starts empty, as a Redis that lost its memory does. Speaks just enough RESP to read keys back.
 */
public final class RedisServer implements AutoCloseable {
    private static final Path LOGS = Path.of(System.getProperty("rampart.it.logs", "target/it-logs"));
    private static final List<Path> USUAL_PLACES = List.of(Path.of("/usr/bin/redis-server"),
            Path.of("/usr/local/bin/redis-server"));
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // if the test JVM itself is killed, no redis-server outlives it
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "rampart-it-redis-cleanup"));
    }

    private final Path executable;
    private final int port;
    private final Path workDir;
    private Process process;

    private RedisServer(Path executable, int port, Path workDir) {
        this.executable = executable;
        this.port = port;
        this.workDir = workDir;
    }

    /** The {@code redis-server} on the PATH or in a usual place, or empty when this machine has none. */
    public static Optional<Path> executable() {
        Stream<Path> onPath = Stream.of(Objects.requireNonNullElse(System.getenv("PATH"), "").split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "redis-server"));
        return Stream.concat(onPath, USUAL_PLACES.stream()).filter(Files::isExecutable).findFirst();
    }

    /** Starts a server on a free port and waits until it answers PING. */
    public static RedisServer start() {
        Path executable = executable().orElseThrow(() -> new IllegalStateException("no redis-server on this machine"));
        try {
            RedisServer server = new RedisServer(executable, FreePorts.pick(),
                    Files.createTempDirectory("rampart-it-redis-"));
            server.startProcess();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, as the gateway's {@code state.redis.url}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:<port>}, as the gateway names it in logs, metrics and {@code /readyz}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Kills the server (SIGKILL: no goodbye to connected clients) and waits until its port is closed. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-server on port " + port + " did not exit within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LIVE.remove(process);
        process = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (FreePorts.isListening(port)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("port " + port + " still accepts connections after redis-server exited");
            }
            RampartProcess.sleep(Duration.ofMillis(20));
        }
    }

    /** Starts a new, empty server on the same port. */
    public synchronized void restart() {
        stop();
        startProcess();
    }

    private synchronized void startProcess() {
        List<String> command = List.of(executable.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", workDir.toString());
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve("redis-" + port + ".log");
            try (PrintWriter header = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
                header.println("# " + String.join(" ", command));
            }
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Process started = process;
        LIVE.add(started);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!started.isAlive()) {
                throw new AssertionError("redis-server on port " + port + " exited with " + started.exitValue()
                        + " (see " + LOGS.resolve("redis-" + port + ".log") + ")");
            }
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("redis-server on port " + port + " did not answer PING within 10 s");
            }
            RampartProcess.sleep(Duration.ofMillis(20));
        }
    }

    /** The keys matching {@code pattern} (as Redis's KEYS takes it). */
    @SuppressWarnings("unchecked")
    public List<String> keys(String pattern) {
        return (List<String>) command("KEYS", pattern);
    }

    /**
     * Sends one command and reads its reply: a simple or bulk string as a String, an integer as a Long, an array as
     * a List, a nil as null; an error reply fails.
     */
    public Object command(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(5_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                request.writeBytes(bytes);
                request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            return reply(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("redis " + List.of(args) + " on port " + port + " failed", e);
        }
    }

    private static Object reply(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new AssertionError("redis answered an error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                line(in);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: " + (char) type + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b != -1; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
        throw new IOException("connection closed in the middle of a reply");
    }

    /** Kills the server and removes its (empty: nothing is saved) working directory. */
    @Override
    public synchronized void close() {
        stop();
        try {
            Files.deleteIfExists(workDir);
        } catch (IOException notEmpty) {
            // something was written after all: left for inspection
        }
    }
}
