package dev.rampart.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small config documents for tests, built around one upstream and one route so each test adds only what it proves. */
final class TestConfigs {

    static final String FILE = "test.yaml";

    /** A valid config with one upstream ({@code pricing}) and one route ({@code price}), nothing else. */
    static final String MINIMAL = """
            upstreams:
              pricing:
                endpoints: [ "http://127.0.0.1:7001" ]
            routes:
              - id: price
                upstream: pricing
            """;

    private TestConfigs() {
    }

    /** {@link #MINIMAL} with {@code lines} added to the root mapping, at the top. */
    static String withRoot(String lines) {
        return lines.stripTrailing() + "\n" + MINIMAL;
    }

    /** {@link #MINIMAL} with {@code lines} (written at column 1) added to the {@code pricing} upstream. */
    static String withUpstream(String lines) {
        return MINIMAL.replace("routes:", lines.stripTrailing().indent(4) + "routes:");
    }

    /** {@link #MINIMAL} with {@code lines} (written at column 1) added to the {@code price} route. */
    static String withRoute(String lines) {
        return MINIMAL + lines.stripTrailing().indent(4);
    }

    static ConfigResult parse(String yaml) {
        return ConfigLoader.parse(yaml, FILE);
    }

    static RampartConfig valid(String yaml) {
        return valid(parse(yaml), yaml);
    }

    /** Valid when files are read from {@code directory} and environment variables from {@code environment}. */
    static RampartConfig valid(String yaml, Path directory, Map<String, String> environment) {
        return valid(ConfigLoader.parse(yaml, FILE, directory, environment), yaml);
    }

    /** The errors when files are read from {@code directory} and environment variables from {@code environment}. */
    static List<String> errors(String yaml, Path directory, Map<String, String> environment) {
        return errors(ConfigLoader.parse(yaml, FILE, directory, environment), yaml);
    }

    private static RampartConfig valid(ConfigResult result, String yaml) {
        if (!result.ok()) {
            throw new AssertionError("expected a valid config, got:\n" + String.join("\n", formatted(result)));
        }
        return result.config();
    }

    static List<String> errors(String yaml) {
        return errors(parse(yaml), yaml);
    }

    private static List<String> errors(ConfigResult result, String yaml) {
        if (result.ok()) {
            throw new AssertionError("expected errors, got a valid config:\n" + yaml);
        }
        return formatted(result);
    }

    private static List<String> formatted(ConfigResult result) {
        return result.errors().stream().map(ConfigError::format).toList();
    }
}
