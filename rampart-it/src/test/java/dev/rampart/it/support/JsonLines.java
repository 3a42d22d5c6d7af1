package dev.rampart.it.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Parses the JSON the gateway writes: its stdout log lines and its error bodies. */
public final class JsonLines {
    /** The logger name of the gateway's per-request access-log lines. */
    public static final String ACCESS_LOGGER = "rampart.access";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {
    }

    /** The JSON object in {@code text}; fails the test with the text when it is not one. */
    public static JsonNode parse(String text) {
        return tryParse(text).orElseThrow(() -> new AssertionError("not a JSON object: " + text));
    }

    /** The JSON object in {@code text}, or empty when it is anything else. */
    public static Optional<JsonNode> tryParse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The access-log lines among {@code lines}, parsed; lines that are not JSON are skipped. */
    public static List<JsonNode> accessLines(List<String> lines) {
        List<JsonNode> access = new ArrayList<>();
        for (String line : lines) {
            tryParse(line).filter(JsonLines::isAccessLine).ifPresent(access::add);
        }
        return access;
    }

    public static boolean isAccessLine(JsonNode line) {
        return ACCESS_LOGGER.equals(line.path("logger").asText());
    }
}
