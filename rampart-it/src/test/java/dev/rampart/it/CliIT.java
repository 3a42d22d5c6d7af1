package dev.rampart.it;

import dev.rampart.it.support.FreePorts;
import dev.rampart.it.support.RampartProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a user or a script drives it: check, version, run and demo, with their exit codes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliIT {
    /** {@code file:line:column: key.path: message}, the shape editors jump to. */
    private static final Pattern LOCATED_ERROR = Pattern.compile("^(.+):(\\d+):(\\d+): ([^ :]+): (.+)$");
    private static final Duration COMMAND_TIME = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<RampartProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(RampartProcess::close);
    }

    private RampartProcess rampart(Path workDir, String... args) {
        RampartProcess process = RampartProcess.launch("CliIT", workDir, List.of("-Xmx128m"), List.of(args));
        started.add(process);
        return process;
    }

    private Path file(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    /** A config for {@code run} on {@code port}: one route to the demo's pricing service, plus {@code routeLines}. */
    private Path runConfig(String name, int port, String routeLines) throws IOException {
        return file(name, """
                listen: { host: 127.0.0.1, port: %d }
                admin: { port: %d }
                upstreams:
                  pricing: { endpoints: [ "http://127.0.0.1:7001" ] }
                routes:
                  - id: prices
                    upstream: pricing
                %s""".formatted(port, FreePorts.pick(), routeLines));
    }

    @Test
    void checkOfAValidConfigExitsZero() throws IOException {
        Path config = file("valid.yaml", """
                service: cli-it
                listen: { port: 8080 }
                upstreams:
                  pricing: { endpoints: [ "http://127.0.0.1:7001" ] }
                routes:
                  - id: prices
                    match: { path: /v1/prices/* }
                    upstream: pricing
                    timeouts: { connect: 250ms, first-byte: 1s, total: 2s }
                """);
        RampartProcess check = rampart(dir, "check", "-c", config.toString());

        assertThat(check.waitFor(COMMAND_TIME)).isZero();
        assertThat(String.join("\n", check.stdout())).contains("ok");
        assertThat(check.stderr()).isEmpty();
    }

    @Test
    void checkOfAConfigWithSeveralMistakesExitsOneAndListsEveryOneWithFileLineColumnAndKeyPath() throws IOException {
        Path config = file("broken.yaml", """
                service: cli-it
                listen:
                  port: 8080
                  header-read-timout: 5s
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001" ]
                routes:
                  - id: prices
                    upstream: pricing
                    timeouts:
                      connect: 5 seconds
                      total: 2h
                  - id: stock
                    upstream: inventroy
                """);
        RampartProcess check = rampart(dir, "check", "-c", config.toString());

        assertThat(check.waitFor(COMMAND_TIME)).isEqualTo(1);
        List<String> errors = check.stderr().stream().filter(line -> LOCATED_ERROR.matcher(line).matches()).toList();
        assertThat(errors).as("located errors in\n%s", String.join("\n", check.stderr())).hasSize(4);
        assertError(errors.get(0), config, 4, 3, "listen.header-read-timout", "header-read-timeout");
        assertError(errors.get(1), config, 12, 16, "routes[0].timeouts.connect", "5 seconds");
        assertError(errors.get(2), config, 13, 14, "routes[0].timeouts.total", "1h");
        assertError(errors.get(3), config, 15, 15, "routes[1].upstream", "pricing");
    }

    private static void assertError(String line, Path file, int lineNumber, int column, String keyPath,
                                    String mentions) {
        Matcher m = LOCATED_ERROR.matcher(line);
        assertThat(m.matches()).isTrue();
        assertThat(m.group(1)).as(line).isEqualTo(file.toString());
        assertThat(Integer.parseInt(m.group(2))).as("line of %s", line).isEqualTo(lineNumber);
        assertThat(Integer.parseInt(m.group(3))).as("column of %s", line).isEqualTo(column);
        assertThat(m.group(4)).as(line).isEqualTo(keyPath);
        assertThat(m.group(5)).as(line).contains(mentions);
    }

    @Test
    void checkOfAMissingFileExitsOneAndSaysSo() {
        Path missing = dir.resolve("nope.yaml");
        RampartProcess check = rampart(dir, "check", "-c", missing.toString());

        assertThat(check.waitFor(COMMAND_TIME)).isEqualTo(1);
        assertThat(String.join("\n", check.stderr())).contains(missing.toString()).contains("no such file");
    }

    @Test
    void versionPrintsTheProjectVersion() {
        RampartProcess version = rampart(dir, "version");

        assertThat(version.waitFor(COMMAND_TIME)).isZero();
        assertThat(version.stdout()).anyMatch(line -> line.startsWith("rampart " + System.getProperty("rampart.version")));
    }

    @Test
    void runWithAnInvalidConfigExitsOneWithoutEverListening() throws IOException {
        int port = FreePorts.pick();
        Path config = runConfig("invalid-run.yaml", port, "    timeouts: { total: 0s }\n");
        RampartProcess run = rampart(dir, "run", "-c", config.toString());

        while (run.isAlive()) {
            assertThat(FreePorts.isListening(port)).as("listening on %d with an invalid config", port).isFalse();
        }
        assertThat(run.waitFor(COMMAND_TIME)).isEqualTo(1);
        assertThat(run.stderr()).anyMatch(line -> line.startsWith(config + ":8:")
                && line.contains("routes[0].timeouts.total"));
        assertThat(run.stdout()).noneMatch(line -> line.contains("rampart is listening"));
    }

    @Test
    void runExitsOneWhenItsPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Path config = runConfig("taken.yaml", taken.getLocalPort(), "");
            RampartProcess run = rampart(dir, "run", "-c", config.toString());

            assertThat(run.waitFor(COMMAND_TIME)).isEqualTo(1);
            assertThat(run.stdout()).anyMatch(line -> line.contains("\"level\":\"ERROR\"")
                    && line.contains("could not start"));
        }
    }

    @Test
    void runStartedWithHupAndTermIgnoredWarnsAboutBothAndStillStopsOnSigint() throws IOException {
        int port = FreePorts.pick();
        Path config = runConfig("nohup.yaml", port, "");
        RampartProcess run = RampartProcess.launchIgnoring("HUP TERM", "CliIT", dir, List.of("-Xmx128m"),
                List.of("run", "-c", config.toString()));
        started.add(run);

        run.awaitStdout(line -> line.contains("rampart is listening"), COMMAND_TIME);
        assertThat(run.stdout()).anyMatch(line -> line.contains("\"level\":\"WARN\"")
                && line.contains("\"signal\":\"SIGHUP\"") && line.contains("will not reload"));
        assertThat(run.stdout()).anyMatch(line -> line.contains("\"level\":\"WARN\"")
                && line.contains("\"signal\":\"SIGTERM\"") && line.contains("will not drain"));

        run.sendSignal("INT");
        assertThat(run.waitFor(COMMAND_TIME)).isZero();
        assertThat(FreePorts.isListening(port)).isFalse();
    }

    @Test
    void demoServesThePricingExampleAndStopsOnSigint() {
        List<Integer> ports = List.of(7001, 7002, 7003, 7004, 7005, 8080, 9090);
        for (int port : ports) {
            Assumptions.assumeFalse(FreePorts.isListening(port), "port " + port + " is busy; the demo needs it");
        }
        Path root = Path.of(System.getProperty("rampart.root", "..")).toAbsolutePath().normalize();
        RampartProcess demo = rampart(root, "demo");

        HttpResponse<String> price = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (price == null || price.statusCode() != 200) {
            assertThat(demo.isAlive()).as("demo running\n%s", demo.outputForDiagnosis()).isTrue();
            assertThat(System.nanoTime()).as("demo answering within 40 s\n%s", demo.outputForDiagnosis())
                    .isLessThan(deadline);
            try {
                price = RampartProcess.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/v1/prices/42"))
                        .timeout(Duration.ofSeconds(5)).build());
            } catch (RuntimeException notYetListening) {
                price = null;
            }
            if (price == null || price.statusCode() != 200) {
                sleep(Duration.ofMillis(200));
            }
        }
        assertThat(price.body()).contains("\"sku\"");

        demo.sendSignal("INT");

        assertThat(demo.waitFor(Duration.ofSeconds(30))).isZero();
        assertThat(FreePorts.isListening(8080)).isFalse();
        assertThat(FreePorts.isListening(7001)).isFalse();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
