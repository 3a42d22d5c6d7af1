package dev.rampart.gateway.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** Reads and changes Logback's logger levels while Rampart runs (the admin API's {@code /api/v1/log-level}). */
final class LogLevels {
    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(LogLevels.class);
    private static final String SEGMENT = "[A-Za-z_$][A-Za-z0-9_$-]*";
    private static final Pattern LOGGER_NAME = Pattern.compile(SEGMENT + "(\\." + SEGMENT + ")*");
    private static final int MAX_NAME_LENGTH = 256;

    private final LoggerContext context; // null when the backend is not Logback

    LogLevels(LoggerContext context) {
        this.context = context;
    }

    /** Levels of the running process's Logback, or an instance that says it cannot change them. */
    static LogLevels ofRunningBackend() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        return new LogLevels(factory instanceof LoggerContext logback ? logback : null);
    }

    boolean available() {
        return context != null;
    }

    /** Loggers with a level of their own, {@code ROOT} first, then by name; the others inherit theirs. */
    Map<String, String> configured() {
        Map<String, String> levels = new LinkedHashMap<>();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        levels.put(Logger.ROOT_LOGGER_NAME, root.getLevel().toString());
        context.getLoggerList().stream()
                .filter(logger -> logger != root && logger.getLevel() != null)
                .forEach(logger -> levels.put(logger.getName(), logger.getLevel().toString()));
        return levels;
    }

    /**
     * Sets a logger's level; {@code level} null makes it inherit its parent's again.
     *
     * @throws IllegalArgumentException with a message {@code name: value (expected: …)}
     */
    Change set(String loggerName, String level) {
        Objects.requireNonNull(loggerName, "loggerName");
        String name = validName(loggerName);
        Level next = level == null ? null : validLevel(level);
        if (next == null && Logger.ROOT_LOGGER_NAME.equals(name)) {
            throw new IllegalArgumentException("level: null (expected: one of " + String.join(", ", LEVELS)
                    + "; the root logger cannot inherit)");
        }
        Logger logger = context.getLogger(name);
        Level previous = logger.getLevel();
        logger.setLevel(next);
        Change change = new Change(name, text(next), text(previous), logger.getEffectiveLevel().toString());
        log.atInfo().addKeyValue("target_logger", change.logger()).addKeyValue("new_level", change.effective())
                .addKeyValue("previous_level", change.previous() == null ? "inherited" : change.previous())
                .log("log level changed");
        return change;
    }

    private static String validName(String name) {
        if (Logger.ROOT_LOGGER_NAME.equalsIgnoreCase(name)) {
            return Logger.ROOT_LOGGER_NAME;
        }
        if (name.length() > MAX_NAME_LENGTH || !LOGGER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("logger: " + shown(name)
                    + " (expected: ROOT or a dotted name such as dev.rampart, at most " + MAX_NAME_LENGTH
                    + " characters)");
        }
        return name;
    }

    private static Level validLevel(String level) {
        String upper = level.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(upper)) {
            throw new IllegalArgumentException("level: " + shown(level) + " (expected: one of "
                    + String.join(", ", LEVELS) + ", or null to inherit the parent's)");
        }
        return Level.toLevel(upper);
    }

    private static String shown(String value) {
        if (value.isEmpty()) {
            return "\"\"";
        }
        return value.length() > 80 ? value.substring(0, 80) + "…" : value;
    }

    private static String text(Level level) {
        return level == null ? null : level.toString();
    }

    /**
     * @param level     the level set, or null when the logger now inherits
     * @param previous  its own level before, or null when it inherited
     * @param effective the level it now logs at
     */
    record Change(String logger, String level, String previous, String effective) {
    }
}
