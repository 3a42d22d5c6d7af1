package dev.rampart.demo;

import dev.rampart.demo.internal.DemoServer;
import dev.rampart.demo.internal.InventoryEndpoints;
import dev.rampart.demo.internal.OffersEndpoints;
import dev.rampart.demo.internal.PaymentsEndpoints;
import dev.rampart.demo.internal.PricingEndpoints;
import dev.rampart.demo.internal.Route;
import dev.rampart.demo.internal.TaxEndpoints;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Five small HTTP/1.1 services standing in for a shop's checkout (pricing, inventory, offers, tax, payments), for
 * demos and tests of the gateway. Each can be told to be slow, fail, hang or reset connections through its knobs.
 */
public final class DemoServices {

    /** The services in port order: pricing listens on the base port, payments on base + 4. */
    public static final List<String> NAMES = List.of("pricing", "inventory", "offers", "tax", "payments");
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_BASE_PORT = 7001;
    /** {@code -Ddemo.verbose=true} logs one JSON line per request on the {@code dev.rampart.demo.access} logger. */
    public static final String VERBOSE_PROPERTY = "demo.verbose";

    private static final int HIGHEST_BASE_PORT = 65535 - (5 - 1);

    private final String host;
    private final List<DemoServer> servers;
    private final Map<String, Integer> ports;

    private DemoServices(String host, List<DemoServer> servers, Map<String, Integer> ports) {
        this.host = host;
        this.servers = List.copyOf(servers);
        this.ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    }

    /**
     * Starts all five on the given Vert.x at the given base port (pricing = base, inventory = base + 1, offers =
     * base + 2, tax = base + 3, payments = base + 4); base 0 puts each on a free port. If one cannot listen, those
     * already started are stopped and the future fails.
     *
     * @throws IllegalArgumentException if {@code basePort} is not 0 and not 1..65531
     */
    public static Future<DemoServices> start(Vertx vertx, String host, int basePort) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(host, "host");
        if (basePort < 0 || basePort > HIGHEST_BASE_PORT) {
            throw new IllegalArgumentException("basePort: " + basePort
                    + " (expected: 0 for free ports, or 1.." + HIGHEST_BASE_PORT + " so that all five ports fit)");
        }
        boolean verbose = Boolean.getBoolean(VERBOSE_PROPERTY);
        List<DemoServer> servers = new ArrayList<>();
        List<Future<Integer>> bound = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            String name = NAMES.get(i);
            DemoServer server = new DemoServer(vertx, name, routesOf(name).get(), verbose,
                    () -> ThreadLocalRandom.current().nextDouble());
            servers.add(server);
            bound.add(server.listen(host, basePort == 0 ? 0 : basePort + i));
        }
        return Future.join(bound).transform(all -> {
            if (all.failed()) {
                return Future.all(servers.stream().map(DemoServer::close).toList())
                        .transform(closed -> Future.<DemoServices>failedFuture(all.cause()));
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (int i = 0; i < NAMES.size(); i++) {
                ports.put(NAMES.get(i), bound.get(i).result());
            }
            return Future.succeededFuture(new DemoServices(host, servers, ports));
        });
    }

    private static Supplier<List<Route>> routesOf(String name) {
        return switch (name) {
            case "pricing" -> PricingEndpoints::routes;
            case "inventory" -> InventoryEndpoints::routes;
            case "offers" -> OffersEndpoints::routes;
            case "tax" -> TaxEndpoints::routes;
            case "payments" -> new PaymentsEndpoints()::routes;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The port a service listens on; {@code service} is one of {@link #NAMES}. */
    public int port(String service) {
        Integer port = ports.get(Objects.requireNonNull(service, "service"));
        if (port == null) {
            throw new IllegalArgumentException(
                    "service: " + service + " (expected: one of " + String.join(", ", NAMES) + ")");
        }
        return port;
    }

    /** Service name to port, in the order of {@link #NAMES}. */
    public Map<String, Integer> ports() {
        return ports;
    }

    /** The host the services listen on. */
    public String host() {
        return host;
    }

    /** Stops all five and closes their connections (hung requests included); the Vert.x instance is left running. */
    public Future<Void> stop() {
        return Future.join(servers.stream().map(DemoServer::close).toList()).mapEmpty();
    }

    /**
     * Standalone: starts the five on 127.0.0.1:7001..7005 (or {@code --host H --base-port N}), prints one JSON line
     * per service saying where it listens, and runs until Ctrl-C.
     */
    public static void main(String[] args) {
        String host = DEFAULT_HOST;
        int basePort = DEFAULT_BASE_PORT;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--host" -> host = valueAfter(args, i++);
                    case "--base-port" -> basePort = parsePort(valueAfter(args, i++));
                    default -> throw new IllegalArgumentException("argument: " + args[i]
                            + " (expected: --host HOST or --base-port PORT)");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        Vertx vertx = Vertx.vertx();
        DemoServices services;
        try {
            services = start(vertx, host, basePort).await();
        } catch (RuntimeException e) {
            System.err.println(new JsonObject()
                    .put("error", "demo services did not start: " + e.getMessage()).encode());
            vertx.close();
            System.exit(1);
            return;
        }
        for (Map.Entry<String, Integer> entry : services.ports().entrySet()) {
            System.out.println(new JsonObject()
                    .put("service", entry.getKey())
                    .put("host", host)
                    .put("port", entry.getValue())
                    .put("url", "http://" + host + ":" + entry.getValue())
                    .encode());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                services.stop().eventually(vertx::close).await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("demo services did not stop cleanly: " + e);
            }
        }, "demo-services-shutdown"));
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--base-port: " + text + " (expected: a port number, such as 7001)");
        }
    }

    private static String valueAfter(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + ": (missing) (expected: a value after it)");
        }
        return args[i + 1];
    }
}
