package dev.rampart.gateway.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The process's resident set size, as Linux reports it in {@code /proc/self/status}; the JVM has no API for it. */
final class ResidentMemory {
    static final Path PROC_SELF_STATUS = Path.of("/proc/self/status");
    private static final Pattern VM_RSS = Pattern.compile("^VmRSS:\\s*(\\d{1,15})\\s+kB\\s*$", Pattern.MULTILINE);

    private ResidentMemory() {
    }

    /** Bytes resident now, or -1 where there is no {@code /proc} (not Linux) or it cannot be read. */
    static long read(Path status) {
        try {
            return parseVmRss(Files.readString(status));
        } catch (IOException unreadable) {
            return -1;
        }
    }

    /** The {@code VmRSS:  1234 kB} line of a {@code /proc/<pid>/status} text, in bytes; -1 when it has none. */
    static long parseVmRss(String status) {
        Matcher matcher = VM_RSS.matcher(status);
        return matcher.find() ? Long.parseLong(matcher.group(1)) * 1024 : -1;
    }
}
