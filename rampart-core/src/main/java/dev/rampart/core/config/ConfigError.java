package dev.rampart.core.config;

/**
 * One thing wrong with a config file, located precisely enough to fix it without reading the code.
 *
 * @param file    the file as the user named it
 * @param line    1-based line, or 0 when the error is about the whole file
 * @param column  1-based column, or 0 when unknown
 * @param path    the key path, e.g. {@code routes[2].timeouts.total}; empty for the document root
 * @param message what was found and what is allowed, e.g. {@code 20m (expected: a duration from 1ms to 10m)}
 */
public record ConfigError(String file, int line, int column, String path, String message) {

    /** {@code file:line:column: path: message}, the shape compilers use so editors can jump to it. */
    public String format() {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line);
            if (column > 0) {
                out.append(':').append(column);
            }
        }
        out.append(": ");
        if (!path.isEmpty()) {
            out.append(path).append(": ");
        }
        return out.append(message).toString();
    }
}
