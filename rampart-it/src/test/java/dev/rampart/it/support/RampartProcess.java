package dev.rampart.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * The real Rampart program as a child process ({@code java -jar rampart.jar …}), started the way a user starts it.
 * Its stdout and stderr are drained continuously into in-memory line lists (and a log file under
 * {@code target/it-logs}) so that tests can assert on them and the child never blocks on a full pipe.
 *
 * <p>Config templates may use {@code ${listen.port}} and {@code ${admin.port}}; the harness fills in free ports.
 */
public final class RampartProcess implements AutoCloseable {
    public static final String LISTEN_PORT = "${listen.port}";
    public static final String ADMIN_PORT = "${admin.port}";

    private static final Path JAR = Path.of(System.getProperty("rampart.jar", "../rampart-cli/target/rampart.jar"));
    private static final Path LOGS = Path.of(System.getProperty("rampart.it.logs", "target/it-logs"));
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    static {
        // if the test JVM itself is killed, no gateway outlives it
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "rampart-it-cleanup"));
    }

    private final String name;
    private final Process process;
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private final PrintWriter logFile;
    private final Thread[] drains;
    private final int port;
    private final int adminPort;
    private final Path configFile;

    private RampartProcess(String name, Process process, PrintWriter logFile, int port, int adminPort,
                           Path configFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.port = port;
        this.adminPort = adminPort;
        this.configFile = configFile;
        this.drains = new Thread[] {
                drain(process.getInputStream(), stdout, "out| "),
                drain(process.getErrorStream(), stderr, "err| ")};
    }

    /** A gateway ({@code rampart run -c <file>}) to be started from a config template. */
    public static Builder gateway(String configTemplate) {
        return new Builder(configTemplate);
    }

    /**
     * Starts {@code java <jvmFlags> -jar rampart.jar <args>} in {@code workDir}; does not wait for anything.
     *
     * @param name names the log file, e.g. the test class
     */
    public static RampartProcess launch(String name, Path workDir, List<String> jvmFlags, List<String> args) {
        return launch(name, workDir, List.of(), jvmFlags, args, 0, 0, null);
    }

    /**
     * As {@link #launch(String, Path, List, List)}, with {@code signals} (e.g. {@code "HUP TERM"}) set to be ignored
     * before the JVM starts, as {@code nohup} does to HUP.
     */
    public static RampartProcess launchIgnoring(String signals, String name, Path workDir, List<String> jvmFlags,
                                                List<String> args) {
        return launch(name, workDir, List.of("sh", "-c", "trap '' " + signals + "; exec \"$0\" \"$@\""), jvmFlags,
                args, 0, 0, null);
    }

    private static RampartProcess launch(String name, Path workDir, List<String> prefix, List<String> jvmFlags,
                                         List<String> args, int port, int adminPort, Path configFile) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("no runnable jar at " + JAR.toAbsolutePath()
                    + " (build it first: ./mvnw -B -o -q install -DskipTests)");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(args);
        try {
            Files.createDirectories(LOGS);
            String logName = name + "-" + SEQUENCE.incrementAndGet() + ".log";
            PrintWriter log = new PrintWriter(Files.newBufferedWriter(LOGS.resolve(logName)), true);
            log.println("# " + String.join(" ", command));
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
            LIVE.add(process);
            return new RampartProcess(name, process, log, port, adminPort, configFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private Thread drain(InputStream stream, List<String> lines, String prefix) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                    synchronized (logFile) {
                        logFile.println(prefix + line);
                    }
                }
            } catch (IOException closed) {
                // the process is gone
            }
        }, "rampart-it-drain-" + name + prefix.trim());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    // ---- where it listens ----------------------------------------------------------------------------------------

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    public Path configFile() {
        return configFile;
    }

    public long pid() {
        return process.pid();
    }

    // ---- talking to it -------------------------------------------------------------------------------------------

    /** A GET through the gateway; {@code headers} are name, value pairs. */
    public HttpResponse<String> get(String pathAndQuery, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpClient httpClient() {
        return HTTP;
    }

    /** The admin {@code /readyz} answer, or empty when the admin port does not answer. */
    public Optional<HttpResponse<String>> readyz() {
        try {
            return Optional.of(HTTP.send(HttpRequest.newBuilder(adminUri("/readyz")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException notAnswering) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The config version {@code /readyz} reports. */
    public long configVersion() {
        HttpResponse<String> ready = readyz().orElseThrow(() -> new AssertionError("/readyz does not answer"));
        return JsonLines.parse(ready.body()).path("config_version").asLong();
    }

    /** Waits until {@code /readyz} answers 200; fails at once, with the output, if the process exits first. */
    public RampartProcess awaitReady(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready\n"
                        + outputForDiagnosis());
            }
            if (readyz().map(r -> r.statusCode() == 200).orElse(false)) {
                return this;
            }
            sleep(Duration.ofMillis(100));
        }
        throw new AssertionError(name + " was not ready within " + atMost + "\n" + outputForDiagnosis());
    }

    /** Rewrites the config file in one step (write aside, then rename), filling in the same ports as at start. */
    public void writeConfig(String configTemplate) {
        Objects.requireNonNull(configFile, "this process was not started from a config file");
        writeConfig(configFile, fill(configTemplate, port, adminPort));
    }

    private static void writeConfig(Path file, String yaml) {
        try {
            Path aside = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(aside, yaml);
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String fill(String template, int port, int adminPort) {
        return template.replace(LISTEN_PORT, Integer.toString(port)).replace(ADMIN_PORT, Integer.toString(adminPort));
    }

    /** Sends a signal by name ({@code HUP}, {@code TERM}, {@code INT}) with {@code kill -s}. */
    public void sendSignal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -s " + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the process to exit and returns its exit code; fails (and kills it) if it does not in time. */
    public int waitFor(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError(name + " did not exit within " + atMost + "\n" + outputForDiagnosis());
            }
            for (Thread drain : drains) {
                drain.join(5_000); // so that every line it printed is in the lists
            }
            LIVE.remove(process);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    // ---- what it printed -----------------------------------------------------------------------------------------

    public List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    public List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    /** How many stdout lines there are now: pass it to {@link #stdoutSince} to see only what came after. */
    public int stdoutMark() {
        return stdout.size();
    }

    public List<String> stdoutSince(int mark) {
        synchronized (stdout) {
            return List.copyOf(stdout.subList(Math.min(mark, stdout.size()), stdout.size()));
        }
    }

    /** Waits for a stdout line that satisfies {@code condition} and returns the first one. */
    public String awaitStdout(Predicate<String> condition, Duration atMost) {
        return awaitStdoutSince(0, condition, atMost);
    }

    /** Waits for a stdout line after {@code mark} (see {@link #stdoutMark}) that satisfies {@code condition}. */
    public String awaitStdoutSince(int mark, Predicate<String> condition, Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(50))
                .until(() -> stdoutSince(mark).stream().filter(condition).findFirst(), Optional::isPresent).get();
    }

    /** Waits for the access-log line of the request with this id. */
    public JsonNode awaitAccessLog(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> accessLines(requestId), lines -> !lines.isEmpty()).get(0);
    }

    /** The access-log lines of the request with this id (normally exactly one). */
    public List<JsonNode> accessLines(String requestId) {
        return JsonLines.accessLines(stdout()).stream()
                .filter(line -> requestId.equals(line.path("request_id").asText()))
                .toList();
    }

    /** The last lines of both streams, for a failure message. */
    public String outputForDiagnosis() {
        List<String> out = stdout();
        List<String> err = stderr();
        return "--- stdout (last 30 lines) ---\n" + String.join("\n", out.subList(Math.max(0, out.size() - 30), out.size()))
                + "\n--- stderr (last 30 lines) ---\n" + String.join("\n", err.subList(Math.max(0, err.size() - 30), err.size()));
    }

    /** Stops the process if it still runs (TERM, then KILL after 5 s). Safe to call twice. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        LIVE.remove(process);
        synchronized (logFile) {
            logFile.flush();
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How a gateway is started: its config template and JVM flags. */
    public static final class Builder {
        private final String configTemplate;
        private final List<String> jvmFlags = new ArrayList<>(List.of("-Xmx128m"));
        private final List<String> extraArgs = new ArrayList<>();
        private String name = "gateway";
        private Duration readyWithin = Duration.ofSeconds(30);

        private Builder(String configTemplate) {
            this.configTemplate = Objects.requireNonNull(configTemplate, "configTemplate");
        }

        /** Names the log file; the test class's simple name is a good choice. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** JVM flags instead of the default {@code -Xmx128m}. */
        public Builder jvmFlags(String... flags) {
            jvmFlags.clear();
            jvmFlags.addAll(List.of(flags));
            return this;
        }

        /** Arguments after {@code run -c <file>}, e.g. {@code --event-loops 1}. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** Writes the config with free ports filled in, starts {@code rampart run} and waits for {@code /readyz}. */
        public RampartProcess start() {
            int port = FreePorts.pick();
            int adminPort = FreePorts.pick();
            while (adminPort == port) {
                adminPort = FreePorts.pick();
            }
            try {
                Path dir = Files.createTempDirectory("rampart-it-");
                Path config = dir.resolve("rampart.yaml");
                writeConfig(config, fill(configTemplate, port, adminPort));
                List<String> args = new ArrayList<>(List.of("run", "-c", config.toString()));
                args.addAll(extraArgs);
                RampartProcess gateway = launch(name, dir, List.of(), jvmFlags, args, port, adminPort, config);
                try {
                    return gateway.awaitReady(readyWithin);
                } catch (RuntimeException | Error e) {
                    gateway.close();
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
