package dev.rampart.cli;

import dev.rampart.core.config.ConfigError;
import dev.rampart.core.config.ConfigLoader;
import dev.rampart.core.config.ConfigResult;
import dev.rampart.gateway.Gateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reloads the config when its file changes (polled, so editors that replace the file are seen too) or on request
 * (SIGHUP). A config that fails validation is logged and the running one stays. Runs on its own thread, never on
 * an event loop.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final long POLL_MILLIS = 500;

    private final Path file;
    private final Gateway gateway;
    private final Thread thread;
    private byte[] lastSeen;
    private volatile boolean closed;

    ConfigWatcher(Path file, Gateway gateway) {
        this.file = file;
        this.gateway = gateway;
        this.lastSeen = read();
        this.thread = new Thread(this::pollForever, "rampart-config-watcher");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Loads and applies the file now, whether or not it changed. */
    synchronized void reloadNow(String trigger) {
        byte[] content = read();
        lastSeen = content;
        ConfigResult result = ConfigLoader.load(file);
        if (!result.ok()) {
            gateway.reloadRejected();
            for (ConfigError error : result.errors()) {
                log.atError().addKeyValue("trigger", trigger).addKeyValue("config_error", error.format())
                        .log("config reload rejected; the running config stays");
            }
            return;
        }
        long version = gateway.apply(result.config());
        log.atInfo().addKeyValue("trigger", trigger).addKeyValue("config_version", version)
                .addKeyValue("routes", result.config().routes().size()).log("config reloaded");
    }

    private void pollForever() {
        while (!closed) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            byte[] content = read();
            boolean changed;
            synchronized (this) {
                changed = content != null && !Arrays.equals(content, lastSeen);
            }
            if (changed) {
                reloadNow("file_changed");
            }
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null; // being replaced, or gone for a moment: try again on the next poll
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
