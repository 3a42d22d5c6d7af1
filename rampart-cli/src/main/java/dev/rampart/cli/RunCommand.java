package dev.rampart.cli;

import dev.rampart.core.config.ConfigError;
import dev.rampart.core.config.ConfigLoader;
import dev.rampart.core.config.ConfigResult;
import dev.rampart.gateway.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Starts the gateway from a config file and runs until SIGTERM or Ctrl-C, reloading on SIGHUP or file change. */
@Command(name = "run", description = "Start the gateway from a config file.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "The config file.")
    Path config;

    @Option(names = "--event-loops", description = "Event loops for the data plane (default: one per core).")
    Integer eventLoops;

    @Override
    public Integer call() throws Exception {
        ConfigResult result = ConfigLoader.load(config);
        if (!result.ok()) {
            for (ConfigError error : result.errors()) {
                System.err.println(error.format());
            }
            return 1;
        }
        return GatewayProcess.runUntilStopped(config, result.config(),
                eventLoops == null ? Gateway.defaultEventLoops() : eventLoops, null);
    }
}
