package dev.rampart.cli;

import dev.rampart.core.config.ConfigError;
import dev.rampart.core.config.ConfigLoader;
import dev.rampart.core.config.ConfigResult;
import dev.rampart.demo.DemoServices;
import dev.rampart.gateway.Gateway;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Starts the demo checkout services and a gateway in front of them, and prints what to try. */
@Command(name = "demo", description = "Run the demo: five checkout services behind Rampart (examples/checkout.yaml).")
final class DemoCommand implements Callable<Integer> {
    private static final String BUNDLED = "/examples/checkout.yaml";

    @Option(names = {"-c", "--config"}, description = "Config to run instead of the bundled examples/checkout.yaml.")
    Path config;

    @Override
    public Integer call() throws Exception {
        ConfigResult result;
        Path watched = null;
        if (config != null) {
            result = ConfigLoader.load(config);
            watched = config;
        } else if (Files.isRegularFile(Path.of("examples/checkout.yaml"))) {
            watched = Path.of("examples/checkout.yaml");
            result = ConfigLoader.load(watched);
        } else {
            result = ConfigLoader.parse(bundledConfig(), "examples/checkout.yaml");
        }
        if (!result.ok()) {
            for (ConfigError error : result.errors()) {
                System.err.println(error.format());
            }
            return 1;
        }
        Vertx demoVertx = Vertx.vertx();
        DemoServices services;
        try {
            services = DemoServices.start(demoVertx, DemoServices.DEFAULT_HOST, DemoServices.DEFAULT_BASE_PORT)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("demo services could not start on ports 7001-7005 (already in use?): "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            demoVertx.close();
            return 1;
        }
        try {
            return GatewayProcess.runUntilStopped(watched, result.config(), Gateway.defaultEventLoops(),
                    gateway -> printWhatToTry(gateway));
        } finally {
            services.stop().transform(ar -> demoVertx.close())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void printWhatToTry(Gateway gateway) {
        String base = "http://localhost:" + gateway.port();
        String admin = "http://127.0.0.1:" + gateway.adminPort();
        System.err.println();
        System.err.println("Rampart demo is up. Try:");
        System.err.println("  curl -i " + base + "/v1/prices/42                 # twice: the second says X-Cache: HIT");
        System.err.println("  curl " + base + "/v1/inventory/42");
        System.err.println("  curl '" + base + "/v1/offers?sku=42'");
        System.err.println("  curl " + base + "/v1/tax/DE");
        System.err.println("  curl -i -X POST -H 'Idempotency-Key: order-1001' -H 'content-type: application/json' "
                + "-d '{\"amount_cents\":1999}' " + base + "/v1/payments   # twice: Idempotent-Replayed: true");
        System.err.println("  curl '" + base + "/v1/prices/42?latency=3s'     # slower than the route's first-byte timeout: 504");
        System.err.println("  curl '" + base + "/v1/prices/42?reset=true'     # the service resets the connection: 502");
        System.err.println("  curl " + base + "/nowhere                       # no route: JSON 404");
        System.err.println("  curl " + admin + "/readyz");
        System.err.println("The access log is the JSON on stdout. Ctrl-C stops everything.");
        System.err.println();
    }

    private static String bundledConfig() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IOException("the bundled demo config is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
