package dev.rampart.core.config;

import java.util.List;

/** The outcome of loading a config: either a valid config and no errors, or every error found and no config. */
public record ConfigResult(RampartConfig config, List<ConfigError> errors) {
    public ConfigResult {
        errors = List.copyOf(errors);
        if ((config == null) == errors.isEmpty()) {
            throw new IllegalArgumentException("exactly one of config and errors must be present");
        }
    }

    public boolean ok() {
        return config != null;
    }

    public static ConfigResult valid(RampartConfig config) {
        return new ConfigResult(config, List.of());
    }

    public static ConfigResult invalid(List<ConfigError> errors) {
        return new ConfigResult(null, errors);
    }
}
