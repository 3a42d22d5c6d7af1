package dev.rampart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A running Rampart at a glance, from its admin port: readiness, then per route (and per upstream) the last minute's
 * rate, error percentage and p50/p99 latency. Exit 0 when the admin port answered, 1 when it did not.
 */
@Command(name = "status", description = "Show a running Rampart's readiness and, per route, the last minute's "
        + "rate, errors and p50/p99 latency (from its admin port); exit 1 if the admin port does not answer.")
final class StatusCommand implements Callable<Integer> {
    /** Every call to the admin port gives up after this: a hung gateway must not hang its status command. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--admin", defaultValue = "http://127.0.0.1:9090", paramLabel = "URL",
            description = "The admin address (default: ${DEFAULT-VALUE}).")
    URI admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (admin.getHost() == null || !("http".equals(admin.getScheme()) || "https".equals(admin.getScheme()))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--admin: " + admin + " (expected: an http:// URL such as http://127.0.0.1:9090)");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try {
            JsonNode ready = get(client, "/readyz", 200, 503);
            JsonNode routes = get(client, "/api/v1/routes", 200);
            JsonNode upstreams = get(client, "/api/v1/upstreams", 200);
            print(System.out, ready, routes, upstreams);
            printPauses(System.out, get(client, "/api/v1/side-effects", 200));
            return 0;
        } catch (AdminUnreachable unreachable) {
            System.err.println("rampart status: " + unreachable.getMessage());
            return 1;
        }
    }

    private JsonNode get(HttpClient client, String path, int... expected) {
        URI uri = admin.resolve(path);
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException refused) {
            throw new AdminUnreachable("cannot reach the admin port at " + admin + " (connection refused): is "
                    + "Rampart running, and is --admin its admin address?");
        } catch (HttpTimeoutException slow) {
            throw new AdminUnreachable("the admin port at " + admin + " did not answer " + path + " within "
                    + TIMEOUT.toSeconds() + " s");
        } catch (IOException failed) {
            throw new AdminUnreachable("cannot reach the admin port at " + admin + " (" + failed + ")");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AdminUnreachable("interrupted while asking " + uri);
        }
        for (int status : expected) {
            if (response.statusCode() == status) {
                return parse(uri, response.body());
            }
        }
        throw new AdminUnreachable("GET " + uri + " answered " + response.statusCode()
                + " (expected: " + expected[0] + "; is this a Rampart admin port of this version?)");
    }

    private static JsonNode parse(URI uri, String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            throw new AdminUnreachable("GET " + uri + " did not answer JSON: is this a Rampart admin port?");
        }
    }

    static void print(PrintStream out, JsonNode ready, JsonNode routes, JsonNode upstreams) {
        String status = ready.path("status").asText(ready.path("ready").asBoolean() ? "ready" : "not ready");
        StringBuilder headline = new StringBuilder("rampart: ").append(status);
        if (ready.has("config_version")) {
            headline.append(", config version ").append(ready.path("config_version").asLong());
        }
        out.println(headline);
        out.println();

        Table routeTable = new Table("ROUTE", "RATE/S", "ERROR %", "P50 MS", "P99 MS", "REQUESTS");
        routes.path("routes").forEach(route -> routeTable.row(route.path("id").asText(), rateOf(route)));
        out.print(routeTable.render());
        if (routeTable.isEmpty()) {
            out.println("(no routes configured)");
        }
        if (!upstreams.path("upstreams").isEmpty()) {
            out.println();
            Table upstreamTable = new Table("UPSTREAM", "RATE/S", "ERROR %", "P50 MS", "P99 MS", "REQUESTS",
                    "AVAILABLE", "RETRY X");
            Table endpointTable = new Table("ENDPOINT", "UPSTREAM", "HEALTH", "BREAKER", "EJECTED", "IN FLIGHT");
            upstreams.path("upstreams").forEach(u -> {
                String[] rate = rateOf(u);
                JsonNode endpoints = u.path("endpoints");
                String available = endpoints.isArray()
                        ? u.path("available_endpoints").asInt() + "/" + endpoints.size() : "-";
                String amplification = decimal(u.path("retry_budget").path("amplification"), 2);
                String[] cells = java.util.Arrays.copyOf(rate, rate.length + 2);
                cells[rate.length] = available;
                cells[rate.length + 1] = amplification;
                upstreamTable.row(u.path("name").asText(), cells);
                endpoints.forEach(e -> endpointTable.row(e.path("endpoint").asText(), new String[] {
                        u.path("name").asText(),
                        e.path("health").asText("-"),
                        e.path("circuit_breaker").path("state").asText("-").replace('_', '-'),
                        e.path("outlier").path("ejected").asBoolean()
                                ? "yes (" + e.path("outlier").path("remaining_ms").asLong() / 1000 + " s left)" : "no",
                        Integer.toString(e.path("in_flight").asInt())}));
            });
            out.print(upstreamTable.render());
            if (!endpointTable.isEmpty()) {
                out.println();
                out.print(endpointTable.render());
            }
        }
        out.println();
        out.println("rate, errors and latency over the last minute; requests since start; RETRY X: requests sent "
                + "upstream (retries and hedges included) per client request, over the retry budget's window");
    }

    /** The pauses in force, if any: who paused what, why and since when. */
    static void printPauses(PrintStream out, JsonNode sideEffects) {
        JsonNode pauses = sideEffects.path("pauses");
        if (pauses.isEmpty()) {
            return;
        }
        out.println();
        for (JsonNode pause : pauses) {
            String scope = pause.path("scope").asText();
            out.println("PAUSED " + (scope.equals("*") ? "every side-effect route" : "route " + scope) + " since "
                    + pause.path("since").asText() + " by " + pause.path("by").asText() + ": "
                    + pause.path("reason").asText() + " (rampart resume to lift)");
        }
    }

    private static String[] rateOf(JsonNode stats) {
        return new String[] {
                decimal(stats.path("rate_per_s"), 1),
                decimal(stats.path("error_percent"), 2),
                decimal(stats.path("p50_ms"), 1),
                decimal(stats.path("p99_ms"), 1),
                Long.toString(stats.path("requests_total").asLong())};
    }

    /** The number to {@code decimals} places, or {@code -} when there is none (no request in the window). */
    private static String decimal(JsonNode value, int decimals) {
        return value.isNumber() ? String.format(Locale.ROOT, "%." + decimals + "f", value.asDouble()) : "-";
    }

    /** Text columns: the first left-aligned, the others right-aligned, each as wide as its widest cell. */
    private static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = header;
        }

        void row(String first, String[] rest) {
            String[] row = new String[rest.length + 1];
            row[0] = first;
            System.arraycopy(rest, 0, row, 1, rest.length);
            rows.add(row);
        }

        boolean isEmpty() {
            return rows.isEmpty();
        }

        String render() {
            int[] widths = new int[header.length];
            for (int c = 0; c < header.length; c++) {
                widths[c] = header[c].length();
                for (String[] row : rows) {
                    widths[c] = Math.max(widths[c], row[c].length());
                }
            }
            StringBuilder out = new StringBuilder();
            line(out, header, widths);
            rows.forEach(row -> line(out, row, widths));
            return out.toString();
        }

        private static void line(StringBuilder out, String[] cells, int[] widths) {
            for (int c = 0; c < cells.length; c++) {
                String cell = cells[c];
                String pad = " ".repeat(widths[c] - cell.length());
                if (c == 0) {
                    out.append(cell).append(pad);
                } else {
                    out.append("  ").append(pad).append(cell);
                }
            }
            out.append(System.lineSeparator());
        }
    }

    /** The admin port did not answer, or not as a Rampart admin port does. */
    private static final class AdminUnreachable extends RuntimeException {
        AdminUnreachable(String message) {
            super(message, null, false, false);
        }
    }
}
