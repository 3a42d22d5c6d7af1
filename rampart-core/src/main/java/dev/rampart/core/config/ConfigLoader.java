package dev.rampart.core.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads a Rampart YAML config file into a validated {@link RampartConfig}, or into the list of every error in it,
 * each with its file, line, column and key path.
 */
public final class ConfigLoader {

    private static final String READABLE = "a readable UTF-8 YAML file";

    private ConfigLoader() {
    }

    /**
     * Reads {@code file} as UTF-8 and parses it; a file that cannot be read gives one error at line 0. Files it names
     * (a JWKS, a secret) are read relative to its directory, and environment variables from the process.
     */
    public static ConfigResult load(Path file) {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            return unreadable(source, "no such file");
        } catch (AccessDeniedException e) {
            return unreadable(source, "permission denied");
        } catch (CharacterCodingException e) {
            return unreadable(source, "not valid UTF-8");
        } catch (IOException e) {
            return unreadable(source, Files.isDirectory(file) ? "a directory" : "cannot be read");
        }
        Path directory = file.toAbsolutePath().getParent();
        return parse(yaml, source, ConfigEnvironment.ofProcess(directory == null ? Path.of("") : directory));
    }

    /**
     * Parses and validates YAML text; {@code sourceName} names it in errors, as {@link ConfigError#file()}. Files it
     * names are read relative to the working directory, and environment variables from the process.
     */
    public static ConfigResult parse(String yaml, String sourceName) {
        return parse(yaml, sourceName, ConfigEnvironment.ofProcess(Path.of("")));
    }

    /**
     * Parses and validates YAML text, reading the files it names relative to {@code directory} and the environment
     * variables it names from {@code environment} rather than from the process.
     */
    public static ConfigResult parse(String yaml, String sourceName, Path directory, Map<String, String> environment) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(environment, "environment");
        return parse(yaml, sourceName, new ConfigEnvironment(directory, environment));
    }

    private static ConfigResult parse(String yaml, String sourceName, ConfigEnvironment environment) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        ConfigErrors errors = new ConfigErrors(sourceName);
        YamlNode root = YamlTreeReader.read(stripByteOrderMark(yaml), errors);
        RampartConfig config = root == null ? null : ConfigBinder.bind(root, errors, environment);
        return errors.isEmpty() ? ConfigResult.valid(config) : ConfigResult.invalid(errors.inFileOrder());
    }

    private static String stripByteOrderMark(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static ConfigResult unreadable(String file, String problem) {
        return ConfigResult.invalid(List.of(new ConfigError(file, 0, 0, "", ValidationMessage.of(problem, READABLE))));
    }
}
