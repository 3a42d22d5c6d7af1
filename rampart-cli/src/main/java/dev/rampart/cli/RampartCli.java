package dev.rampart.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rampart} command: run, check, status, pause, resume, demo, version. */
@Command(name = "rampart", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "A production-readiness gateway for HTTP services.",
        subcommands = {RunCommand.class, CheckCommand.class, StatusCommand.class, SideEffectsCommand.Pause.class,
                SideEffectsCommand.Resume.class, DemoCommand.class, VersionCommand.class})
public final class RampartCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 1 invalid config or failure, 2 usage error). */
    public static int execute(String... args) {
        return new CommandLine(new RampartCli()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
