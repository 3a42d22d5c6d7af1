package dev.rampart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.Callable;

/**
 * {@code rampart pause} and {@code rampart resume}: rule 16's switch for side-effect routes, through the admin API
 * ({@code POST /api/v1/side-effects/pause|resume}). Exit 0 when done, 1 when the admin port does not answer, 4 when
 * it refuses (no such route, not a side-effect route, nothing to resume).
 */
abstract class SideEffectsCommand implements Callable<Integer> {
    static final int REFUSED = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--admin", defaultValue = "http://127.0.0.1:9090", paramLabel = "URL",
            description = "The admin address (default: ${DEFAULT-VALUE}).")
    URI admin;

    @Option(names = "--route", paramLabel = "ID",
            description = "One route (marked side-effects: true); without it, every side-effect route.")
    String route;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why: logged with the change.")
    String reason;

    @Option(names = "--by", paramLabel = "WHO",
            description = "Who asks, logged with the change (default: $USER@host).")
    String by;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract String action();

    void addFields(ObjectNode body) {
    }

    @Override
    public Integer call() {
        if (admin.getHost() == null || !("http".equals(admin.getScheme()) || "https".equals(admin.getScheme()))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--admin: " + admin + " (expected: an http:// URL such as http://127.0.0.1:9090)");
        }
        ObjectNode body = JSON.createObjectNode();
        if (route != null) {
            body.put("route", route);
        }
        body.put("by", by != null ? by : defaultWho());
        body.put("reason", reason);
        addFields(body);
        URI uri = admin.resolve("/api/v1/side-effects/" + action());
        HttpClient client = HttpClient.newBuilder().connectTimeout(StatusCommand.TIMEOUT).build();
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(StatusCommand.TIMEOUT)
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException refused) {
            System.err.println("rampart " + action() + ": cannot reach the admin port at " + admin
                    + " (connection refused): is Rampart running, and is --admin its admin address?");
            return 1;
        } catch (HttpTimeoutException slow) {
            System.err.println("rampart " + action() + ": the admin port at " + admin + " did not answer within "
                    + StatusCommand.TIMEOUT.toSeconds() + " s");
            return 1;
        } catch (IOException failed) {
            System.err.println("rampart " + action() + ": cannot reach the admin port at " + admin + " (" + failed + ")");
            return 1;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return 1;
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException notJson) {
            System.err.println("rampart " + action() + ": " + uri + " answered " + response.statusCode()
                    + " without JSON: is this a Rampart admin port of this version?");
            return 1;
        }
        if (response.statusCode() != 200) {
            System.err.println("rampart " + action() + ": " + answer.path("error").path("message")
                    .asText("refused with status " + response.statusCode()));
            return response.statusCode() == 404 && answer.path("error").path("code").asText().equals("not_found")
                    ? 1 : REFUSED;
        }
        print(answer);
        return 0;
    }

    private static void print(JsonNode answer) {
        JsonNode routes = answer.path("routes");
        if (routes.isEmpty()) {
            System.out.println("no route is marked side-effects: true");
            return;
        }
        for (JsonNode route : routes) {
            System.out.println(route.path("route").asText() + ": " + (route.path("paused").asBoolean()
                    ? "paused" + (route.path("paused_by_scope").asText().equals("*") ? " (all side-effect routes)" : "")
                    : "running"));
        }
    }

    private static String defaultWho() {
        String user = System.getenv().getOrDefault("USER", System.getProperty("user.name", "unknown"));
        try {
            return user + "@" + InetAddress.getLocalHost().getHostName();
        } catch (IOException unknownHost) {
            return user;
        }
    }

    @Command(name = "pause", description = "Pause side-effect routes (all, or --route): they answer 503 with "
            + "Retry-After without calling their upstream until resumed. Exit 4 if refused, 1 if the admin port "
            + "does not answer.")
    static final class Pause extends SideEffectsCommand {
        @Option(names = "--retry-after", paramLabel = "SECONDS", defaultValue = "60",
                description = "What paused routes tell clients in Retry-After (default: ${DEFAULT-VALUE}).")
        long retryAfter;

        @Override
        String action() {
            return "pause";
        }

        @Override
        void addFields(ObjectNode body) {
            body.put("retry_after_s", retryAfter);
        }
    }

    @Command(name = "resume", description = "Resume paused side-effect routes (all, or --route). Exit 4 if nothing "
            + "was paused, 1 if the admin port does not answer.")
    static final class Resume extends SideEffectsCommand {
        @Override
        String action() {
            return "resume";
        }
    }
}
