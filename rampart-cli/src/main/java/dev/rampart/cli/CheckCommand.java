package dev.rampart.cli;

import dev.rampart.core.config.ConfigError;
import dev.rampart.core.config.ConfigLoader;
import dev.rampart.core.config.ConfigResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Validates a config file without starting anything: exit 0 when valid, 1 with every error listed when not. */
@Command(name = "check", description = "Validate a config file; exit 0 if valid, 1 if not (all errors are printed).")
final class CheckCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "The config file.")
    Path config;

    @Override
    public Integer call() {
        ConfigResult result = ConfigLoader.load(config);
        if (result.ok()) {
            System.out.println(config + ": ok (" + result.config().routes().size() + " routes, "
                    + result.config().upstreams().size() + " upstreams)");
            return 0;
        }
        for (ConfigError error : result.errors()) {
            System.err.println(error.format());
        }
        System.err.println(config + ": " + result.errors().size() + (result.errors().size() == 1 ? " error" : " errors"));
        return 1;
    }
}
