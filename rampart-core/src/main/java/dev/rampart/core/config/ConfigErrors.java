package dev.rampart.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the errors found in one config file, so that a user sees all of them at once. */
final class ConfigErrors {

    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    ConfigErrors(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    void add(int line, int column, String path, String message) {
        errors.add(new ConfigError(file, line, column, path, message));
    }

    /** An error about a value: located at it and named by its key path. */
    void at(YamlNode node, String message) {
        add(node.line(), node.column(), node.path(), message);
    }

    void addAll(ConfigErrors other) {
        errors.addAll(other.errors);
    }

    /** An error about a key itself (unknown, duplicate, badly named): located at the key. */
    void atKey(YamlNode.Mapping mapping, YamlNode.Entry entry, String message) {
        add(entry.line(), entry.column(), mapping.childPath(entry.key()), message);
    }

    /** How many errors were found so far; a reader compares two counts to learn whether a value had mistakes. */
    int count() {
        return errors.size();
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** The errors in file order (errors about the whole file first). */
    List<ConfigError> inFileOrder() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return sorted;
    }
}
