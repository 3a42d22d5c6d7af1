package dev.rampart.gateway.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.event.KeyValuePair;

import java.util.Map;

/**
 * Logback appender that writes Rampart's own logs as one JSON object per line to stdout, with the same field names
 * as the access log (snake_case): timestamp, level, service, logger, message, key-value pairs, error.
 */
public final class JsonLogAppender extends AppenderBase<ILoggingEvent> {
    private static volatile String service = "rampart";

    public static void service(String name) {
        service = name;
    }

    @Override
    protected void append(ILoggingEvent event) {
        StdoutSink.get().offer(format(event));
    }

    static String format(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256).append("{\"timestamp\":\"");
        Rfc3339.append(out, event.getTimeStamp()).append('"');
        JsonText.field(out, "level", event.getLevel().toString());
        JsonText.field(out, "service", service);
        JsonText.field(out, "logger", event.getLoggerName());
        JsonText.field(out, "message", event.getFormattedMessage());
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            mdc.forEach((k, v) -> JsonText.field(out, k, v));
        }
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                if (kv.value instanceof Number n) {
                    out.append(",\"").append(kv.key).append("\":").append(n);
                } else {
                    JsonText.field(out, kv.key, String.valueOf(kv.value));
                }
            }
        }
        IThrowableProxy error = event.getThrowableProxy();
        if (error != null) {
            JsonText.field(out, "error", error.getClassName() + ": " + error.getMessage());
            StringBuilder stack = new StringBuilder();
            for (IThrowableProxy t = error; t != null; t = t.getCause()) {
                if (t != error) {
                    stack.append("caused by ").append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
                }
                StackTraceElementProxy[] frames = t.getStackTraceElementProxyArray();
                for (int i = 0; i < Math.min(frames.length, 30); i++) {
                    stack.append("  at ").append(frames[i].getStackTraceElement()).append('\n');
                }
            }
            JsonText.field(out, "stack", stack);
        }
        return out.append('}').toString();
    }
}
