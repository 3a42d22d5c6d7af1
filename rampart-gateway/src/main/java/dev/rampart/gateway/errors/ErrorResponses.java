package dev.rampart.gateway.errors;

import dev.rampart.gateway.logging.JsonText;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Renders the one JSON error shape clients see: {@code {"error":{"code":…,"message":…,"request_id":…}}}. */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    public static String body(ErrorCode error, String requestId) {
        return body(error, requestId, null);
    }

    /** The error body; {@code trace_id} lets a user's report be found in the logs and the tracing backend. */
    public static String body(ErrorCode error, String requestId, String traceId) {
        StringBuilder out = new StringBuilder(200).append("{\"error\":{\"code\":\"").append(error.code())
                .append("\",\"message\":");
        JsonText.quote(out, error.message());
        if (requestId != null) {
            out.append(",\"request_id\":");
            JsonText.quote(out, requestId);
        }
        if (traceId != null) {
            out.append(",\"trace_id\":");
            JsonText.quote(out, traceId);
        }
        return out.append("}}").toString();
    }

    public static Buffer buffer(ErrorCode error, String requestId) {
        return buffer(error, requestId, null);
    }

    public static Buffer buffer(ErrorCode error, String requestId, String traceId) {
        return Buffer.buffer(body(error, requestId, traceId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A whole HTTP/1.1 response, for the few cases answered below Vert.x (slowloris, broken framing), where the
     * connection is closed right after.
     */
    public static byte[] rawResponse(ErrorCode error, String requestId) {
        byte[] body = body(error, requestId).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + error.status() + " " + reason(error.status()) + "\r\n"
                + "content-type: application/json\r\n"
                + "content-length: " + body.length + "\r\n"
                + (requestId != null ? "x-request-id: " + requestId + "\r\n" : "")
                + "connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    private static String reason(int status) {
        return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
    }
}
