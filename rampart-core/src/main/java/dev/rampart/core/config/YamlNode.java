package dev.rampart.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML value together with its key path and position, so that config errors can point at it. */
sealed interface YamlNode {

    /** The key path, e.g. {@code routes[2].timeouts.total}; empty for the document root. */
    String path();

    /** 1-based line of the value. */
    int line();

    /** 1-based column of the value. */
    int column();

    /** The value as it reads in an error message: the scalar's text, or what kind of collection it is. */
    String describe();

    static String childPath(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String itemPath(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** A key as written and its value; the position is the key's. */
    record Entry(String key, int line, int column, YamlNode value) {
    }

    /** A YAML mapping; keys keep the file's order. */
    record Mapping(String path, int line, int column, Map<String, Entry> entries) implements YamlNode {
        public Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        /** The value of {@code key}, or {@code null} when the key is absent. */
        YamlNode get(String key) {
            Entry entry = entries.get(key);
            return entry == null ? null : entry.value();
        }

        String childPath(String key) {
            return YamlNode.childPath(path, key);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(String path, int line, int column, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar, kept as the text written: the binder decides what type it must be.
     *
     * @param isNull whether YAML reads it as null ({@code ~}, {@code null} or nothing at all)
     */
    record Scalar(String path, int line, int column, String text, boolean isNull) implements YamlNode {
        @Override
        public String describe() {
            return isNull && text.isEmpty() ? "no value" : text;
        }
    }
}
