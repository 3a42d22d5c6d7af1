package dev.rampart.demo.internal;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JSON line per request on the {@code dev.rampart.demo.access} logger, written only when switched on. */
final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rampart.demo.access");

    private final boolean enabled;

    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * @param status  the status answered, or 0 when nothing was (hang, reset)
     * @param outcome what the knobs made of the request, in snake_case: {@code ok}, {@code hang}, {@code reset} …
     */
    void record(String service, HttpServerRequest request, int status, String outcome, long startNanos) {
        if (!enabled) {
            return;
        }
        JsonObject line = new JsonObject()
                .put("service", service)
                .put("method", request.method().name())
                .put("path", request.path())
                .put("query", request.query())
                .put("status", status)
                .put("outcome", outcome)
                .put("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        LOG.info(line.encode());
    }
}
