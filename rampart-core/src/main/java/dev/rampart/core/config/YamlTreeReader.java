package dev.rampart.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into {@link YamlNode}s that remember where each value was written. Duplicate keys are
 * reported and the first one kept; a syntax error, an alias or a second document ends the reading with that one
 * error only.
 */
final class YamlTreeReader {

    /** Deeper than any Rampart config needs; keeps a hostile document from exhausting the stack. */
    private static final int MAX_DEPTH = 64;
    /** Reads {@code key:} with nothing after it as null, as YAML means, rather than as an empty string. */
    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    /** Java type names that some parser messages carry, such as {@code <org.yaml.snakeyaml.events.Event(...)>}. */
    private static final Pattern JAVA_NAME =
            Pattern.compile("\\s*<?\\b(?:org|com|java|javax)\\.[\\w.$]+(?:\\([^)]*\\))?>?");

    private final YAMLParser parser;
    private final ConfigErrors errors;

    private YamlTreeReader(YAMLParser parser, ConfigErrors errors) {
        this.parser = parser;
        this.errors = errors;
    }

    /**
     * The document's root, or {@code null} when it could not be read; either way the problems found are added to
     * {@code errors} (on a syntax error, only that one).
     */
    static YamlNode read(String yaml, ConfigErrors errors) {
        ConfigErrors duplicates = new ConfigErrors(errors.file());
        try (YAMLParser parser = (YAMLParser) YAML.createParser(yaml)) {
            YamlTreeReader reader = new YamlTreeReader(parser, duplicates);
            JsonToken first = parser.nextToken();
            YamlNode root = first == null ? null : reader.readValue(first, "", 0);
            if (root != null && parser.nextToken() != null) {
                throw reader.unreadable("a second YAML document (expected: one document per file)");
            }
            if (root == null || root instanceof YamlNode.Scalar scalar && scalar.isNull()) {
                errors.add(0, 0, "", "empty file (expected: a mapping with at least upstreams and routes)");
                return null;
            }
            errors.addAll(duplicates);
            return root;
        } catch (Unreadable e) {
            errors.add(e.line, e.column, "", e.getMessage());
            return null;
        } catch (JsonProcessingException e) {
            addSyntaxError(e, errors);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from a string", e); // cannot happen: no I/O
        }
    }

    private YamlNode readValue(JsonToken token, String path, int depth) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        if (depth > MAX_DEPTH) {
            throw unreadable("too deeply nested (expected: at most " + MAX_DEPTH + " levels)");
        }
        switch (token) {
            case START_OBJECT: {
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    JsonLocation keyAt = parser.currentTokenLocation();
                    String keyPath = YamlNode.childPath(path, key);
                    YamlNode value = readValue(parser.nextToken(), keyPath, depth + 1);
                    YamlNode.Entry first = entries.get(key);
                    if (first == null) {
                        entries.put(key, new YamlNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), value));
                    } else {
                        errors.add(keyAt.getLineNr(), keyAt.getColumnNr(), keyPath,
                                "duplicate key (expected: each key once; first at line " + first.line() + ")");
                    }
                }
                return new YamlNode.Mapping(path, line, column, entries);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(readValue(next, YamlNode.itemPath(path, items.size()), depth + 1));
                }
                return new YamlNode.Sequence(path, line, column, items);
            }
            default:
                if (parser.isCurrentAlias()) {
                    throw unreadable("*" + parser.getText()
                            + " (expected: a value written out; YAML aliases are not supported)");
                }
                return new YamlNode.Scalar(path, line, column, parser.getText(), token == JsonToken.VALUE_NULL);
        }
    }

    private Unreadable unreadable(String message) {
        JsonLocation at = parser.currentTokenLocation();
        return new Unreadable(at.getLineNr(), at.getColumnNr(), message);
    }

    private static void addSyntaxError(JsonProcessingException e, ConfigErrors errors) {
        // SnakeYAML's own exception says exactly where and what; Jackson's wrapper repeats it with a worse location.
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null
                && yaml.getProblemMark() != null) {
            Mark problem = yaml.getProblemMark();
            String message = "invalid YAML: " + clean(yaml.getProblem());
            if (yaml.getContext() != null && yaml.getContextMark() != null) {
                message += " (" + clean(yaml.getContext()) + " that starts at line "
                        + (yaml.getContextMark().getLine() + 1) + ", column " + (yaml.getContextMark().getColumn() + 1)
                        + ")";
            }
            errors.add(problem.getLine() + 1, problem.getColumn() + 1, "", message);
            return;
        }
        JsonLocation at = e.getLocation();
        int line = at == null ? 0 : Math.max(at.getLineNr(), 0);
        int column = at == null ? 0 : Math.max(at.getColumnNr(), 0);
        errors.add(line, column, "", "invalid YAML: " + clean(e.getOriginalMessage()));
    }

    /** Parser wording without Java type names, e.g. for a key that is a list rather than a plain value. */
    private static String clean(String message) {
        String firstLine = message.strip().lines().findFirst().orElse("");
        if (firstLine.startsWith("Expected a field name")) {
            return "a key must be a plain value, not a list or a mapping";
        }
        return JAVA_NAME.matcher(firstLine).replaceAll("").replaceAll("[:,]\\s*$", "").strip();
    }

    /** Ends the reading: the document cannot be turned into a tree. */
    private static final class Unreadable extends RuntimeException {
        final int line;
        final int column;

        Unreadable(int line, int column, String message) {
            super(message, null, false, false);
            this.line = line;
            this.column = column;
        }
    }
}
