package dev.rampart.core.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a config file may refer to outside itself: files relative to its directory (a JWKS, a secret) and
 * environment variables (a secret). Passed in, so that tests need neither a real environment nor the file system.
 *
 * @param directory the directory relative paths in the file resolve against
 * @param variables the environment variables, e.g. {@link System#getenv()}
 */
record ConfigEnvironment(Path directory, Map<String, String> variables) {

    ConfigEnvironment {
        Objects.requireNonNull(directory, "directory");
        variables = Map.copyOf(variables);
    }

    /** The process's environment, with relative paths resolved against {@code directory}. */
    static ConfigEnvironment ofProcess(Path directory) {
        return new ConfigEnvironment(directory, System.getenv());
    }

    Path resolve(String path) {
        return directory.resolve(path);
    }
}
