package dev.rampart.it;

import dev.rampart.it.support.RampartProcess;
import dev.rampart.it.support.RawHttp;
import dev.rampart.it.support.Upstreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A changed config file is applied while serving; a broken one is refused and the running config stays. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadIT {
    private static final Upstreams upstreams = new Upstreams();
    private static final AtomicInteger routeNames = new AtomicInteger();
    private static RampartProcess gateway;

    @BeforeAll
    static void startGateway() {
        gateway = RampartProcess.gateway(config(64, "")).name("ReloadIT").start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreams.close();
    }

    /** The base config: /prices/ to pricing, with {@code extraRoutes} (YAML list items) after it. */
    private static String config(int maxConnections, String extraRoutes) {
        return """
                service: reload-it
                listen: { host: 127.0.0.1, port: ${listen.port} }
                admin: { port: ${admin.port} }
                upstreams:
                  pricing:
                    endpoints: [ "%s" ]
                    pool: { max-connections: %d }
                  inventory: { endpoints: [ "%s" ] }
                routes:
                  - id: prices
                    match: { prefix: /prices/ }
                    upstream: pricing
                %s""".formatted(upstreams.demoUrl("pricing"), maxConnections, upstreams.demoUrl("inventory"),
                extraRoutes);
    }

    /** A route taking {@code /echo/<name>} to the inventory service. */
    private static String route(String name) {
        return """
                  - id: %s
                    match: { prefix: /echo/%s }
                    upstream: inventory
                """.formatted(name, name);
    }

    private static String newRouteName() {
        return "added-" + routeNames.incrementAndGet();
    }

    @Test
    void newRouteInTheRewrittenFileIsServedWithinTwoSeconds() {
        String name = newRouteName();
        assertThat(gateway.get("/echo/" + name).statusCode()).isEqualTo(404);

        gateway.writeConfig(config(64, route(name)));

        await().atMost(Duration.ofMillis(2500)).pollInterval(Duration.ofMillis(50))
                .until(() -> gateway.get("/echo/" + name).statusCode() == 200);
        HttpResponse<String> served = gateway.get("/echo/" + name);
        assertThat(served.headers().firstValue("x-demo-service")).hasValue("inventory");
    }

    @Test
    void sighupReloadsTheConfigFile() {
        long before = gateway.configVersion();
        int mark = gateway.stdoutMark();

        gateway.sendSignal("HUP");

        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.configVersion() > before);
        gateway.awaitStdoutSince(mark, line -> line.contains("\"message\":\"config reloaded\"")
                && line.contains("\"trigger\":\"sighup\""), Duration.ofSeconds(5));
    }

    @Test
    void sighupAfterAChangeAppliesTheChange() {
        String name = newRouteName();
        int mark = gateway.stdoutMark();

        gateway.writeConfig(config(64, route(name)));
        gateway.sendSignal("HUP");

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> gateway.get("/echo/" + name).statusCode() == 200);
        gateway.awaitStdoutSince(mark, line -> line.contains("\"trigger\":\"sighup\""), Duration.ofSeconds(5));
    }

    @Test
    void invalidConfigIsRefusedWithItsFileAndLineLoggedAndTheOldConfigKeepsServing() {
        String kept = newRouteName();
        gateway.writeConfig(config(64, route(kept)));
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.get("/echo/" + kept).statusCode() == 200);
        long validVersion = gateway.configVersion();
        int mark = gateway.stdoutMark();

        String broken = config(64, route(kept) + """
                  - id: broken
                    upstream: inventory
                    timeouts: { total: forever }
                """);
        gateway.writeConfig(broken);

        int badLine = lineOf(broken, "forever");
        String error = gateway.awaitStdoutSince(mark,
                line -> line.contains("\"level\":\"ERROR\"") && line.contains("config_error"), Duration.ofSeconds(5));
        assertThat(error).contains(gateway.configFile().getFileName() + ":" + badLine + ":");
        assertThat(error).contains("routes[2].timeouts.total");

        sleepPastAPollInterval();
        assertThat(gateway.configVersion()).isEqualTo(validVersion);
        assertThat(gateway.get("/echo/" + kept).statusCode()).isEqualTo(200);
        assertThat(gateway.get("/prices/1").statusCode()).isEqualTo(200);

        gateway.writeConfig(config(64, ""));
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.configVersion() > validVersion);
    }

    @Test
    void threeReloadsUnderKeepAliveLoadFailNoRequest() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger completed = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(2);
        for (int client = 0; client < 2; client++) {
            int id = client;
            Thread thread = new Thread(() -> {
                try (RawHttp connection = RawHttp.connect(gateway.port())) {
                    for (int i = 0; !stop.get() && i < 10_000; i++) {
                        try {
                            RawHttp.Response response = connection.send(RawHttp.request("GET",
                                    "/prices/" + (i % 500), "Host: gateway.test")).readResponse();
                            if (response.status() != 200) {
                                failures.add("client " + id + " request " + i + ": " + response);
                            }
                        } catch (RuntimeException e) {
                            failures.add("client " + id + " request " + i + ": " + e);
                            return; // the keep-alive connection is gone: that is the failure
                        }
                        completed.incrementAndGet();
                    }
                } finally {
                    done.countDown();
                }
            }, "reload-load-" + client);
            thread.setDaemon(true);
            thread.start();
        }

        int[] poolSizes = {32, 16, 64};
        for (int reload = 0; reload < 3; reload++) {
            int target = completed.get() + 300;
            await().atMost(Duration.ofSeconds(20)).until(() -> completed.get() >= target || done.getCount() < 2);
            long before = gateway.configVersion();
            // a different pool replaces the pricing cluster, whose requests in flight must still finish
            gateway.writeConfig(config(poolSizes[reload], route("under-load-" + reload)));
            gateway.sendSignal("HUP");
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.configVersion() > before);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> completed.get() >= 2000 || done.getCount() < 2);
        stop.set(true);
        assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(failures).as("failed requests").isEmpty();
        assertThat(completed.get()).isGreaterThanOrEqualTo(2000);
        assertThat(gateway.get("/echo/under-load-2").statusCode()).isEqualTo(200);
    }

    private static int lineOf(String yaml, String text) {
        List<String> lines = yaml.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(text + " not in the config");
    }

    /** The watcher polls the file every 500 ms; give a wrongly applied config the time to show. */
    private static void sleepPastAPollInterval() throws RuntimeException {
        try {
            Thread.sleep(700);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
