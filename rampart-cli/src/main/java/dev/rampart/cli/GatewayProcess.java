package dev.rampart.cli;

import dev.rampart.core.config.RampartConfig;
import dev.rampart.gateway.Gateway;
import dev.rampart.gateway.logging.StdoutSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a gateway as the process's main job: signals, config watching, graceful drain, exit code. */
final class GatewayProcess {
    private static final Logger log = LoggerFactory.getLogger(GatewayProcess.class);

    private static final int START_TIMEOUT_SECONDS = 60;

    private GatewayProcess() {
    }

    /** What went wrong, for the log: the message, or the exception's kind when it has none (never "null"). */
    static String startFailure(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /**
     * Starts the gateway and blocks until SIGTERM or SIGINT, then drains and returns the exit code.
     *
     * @param configFile watched for changes; null when the config did not come from a file the user can edit
     * @param onStarted  run once the gateway listens (the demo prints its URLs there); may be null
     */
    static int runUntilStopped(Path configFile, RampartConfig config, int eventLoops, java.util.function.Consumer<Gateway> onStarted)
            throws InterruptedException {
        // handlers first: a TERM or INT that comes while the gateway starts (it may already be serving) must drain
        // it, not kill the JVM with the default action
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<ConfigWatcher> watching = new AtomicReference<>();
        warnIfIgnored(Signal.handle(new Signal("TERM"), s -> stop.countDown()), "SIGTERM",
                "a TERM will not drain and stop rampart; SIGINT still does");
        Signal.handle(new Signal("INT"), s -> stop.countDown()); // ignored in a script's background job: by design
        warnIfIgnored(Signal.handle(new Signal("HUP"), s -> {
            ConfigWatcher current = watching.get();
            if (current != null) {
                Thread reload = new Thread(() -> current.reloadNow("sighup"), "rampart-sighup-reload");
                reload.setDaemon(true);
                reload.start();
            }
        }), "SIGHUP", "a HUP will not reload the config; saving the file still does (it is watched)");
        Gateway gateway;
        try {
            gateway = Gateway.start(config, eventLoops).toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.atError().addKeyValue("cause", "not listening after " + START_TIMEOUT_SECONDS + " s")
                    .log("gateway could not start (is the machine overloaded, or a listener's address unreachable?)");
            StdoutSink.get().flush(2000);
            return 1;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.atError().addKeyValue("cause", startFailure(cause))
                    .log("gateway could not start (is the port already in use?)");
            StdoutSink.get().flush(2000);
            return 1;
        }
        long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        log.atInfo().addKeyValue("port", gateway.port()).addKeyValue("admin_port", gateway.adminPort())
                .addKeyValue("event_loops", eventLoops).addKeyValue("transport", gateway.transport())
                .addKeyValue("config_version", gateway.configVersion())
                .addKeyValue("startup_ms", sinceJvmStart).log("rampart is listening");
        ConfigWatcher watcher = configFile == null ? null : new ConfigWatcher(configFile, gateway);
        if (watcher != null) {
            watcher.start();
            watching.set(watcher);
        }
        if (onStarted != null) {
            onStarted.accept(gateway);
        }
        stop.await();
        if (watcher != null) {
            watcher.close();
        }
        int exit = 0;
        try {
            long drainMillis = config.listen().drainTimeout().toMillis();
            gateway.shutdown().toCompletionStage().toCompletableFuture().get(drainMillis + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.atError().addKeyValue("cause", String.valueOf(e.getMessage())).log("shutdown did not complete cleanly");
            exit = 1;
        }
        StdoutSink.get().flush(2000);
        return exit;
    }

    /**
     * The JVM leaves a signal that the parent process set to be ignored (nohup does that to HUP) ignored, and
     * {@link Signal#handle} then says so only through its return value.
     */
    private static void warnIfIgnored(SignalHandler previous, String signal, String consequence) {
        if (previous == SignalHandler.SIG_IGN) {
            log.atWarn().addKeyValue("signal", signal)
                    .log(signal + " is ignored in this process, as its parent left it (nohup?): " + consequence);
        }
    }
}
