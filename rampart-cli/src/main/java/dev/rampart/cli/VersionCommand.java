package dev.rampart.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Prints Rampart's version and the Java it runs on. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Runnable {

    static String version() {
        Properties properties = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("/rampart-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException ignored) {
            // reported as unknown below
        }
        return properties.getProperty("version", "unknown");
    }

    @Override
    public void run() {
        System.out.println("rampart " + version() + " (java " + System.getProperty("java.version") + ")");
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rampart " + version()};
        }
    }
}
