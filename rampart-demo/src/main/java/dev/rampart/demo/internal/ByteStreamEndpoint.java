package dev.rampart.demo.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code GET /bytes/{n}}: streams n bytes (up to 8 GiB) in 64 KiB chunks with Content-Length, or chunked with
 * {@code ?chunked=true}. Writes wait for the client (write queue and drain), so memory stays flat at any size.
 */
final class ByteStreamEndpoint {

    static final long MAX_BYTES = 8L * 1024 * 1024 * 1024;
    static final int CHUNK_SIZE = 64 * 1024;

    private static final Pattern COUNT = Pattern.compile("\\d{1,10}");
    /** One chunk of a 64-character pattern, so that the body is the same pattern across chunk boundaries. */
    private static final Buffer CHUNK = patternChunk();

    private ByteStreamEndpoint() {
    }

    static void handle(DemoExchange exchange) {
        String text = exchange.pathParam("n");
        if (!COUNT.matcher(text).matches() || Long.parseLong(text) > MAX_BYTES) {
            throw InvalidInputException.of("n", text, "a number of bytes from 0 to " + MAX_BYTES + " (8 GiB)");
        }
        long size = Long.parseLong(text);
        boolean chunked = parseChunked(exchange.queryParam("chunked"));
        exchange.request().resume(); // a body sent to this endpoint is dropped
        HttpServerResponse response = exchange.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
        if (chunked) {
            response.setChunked(true);
        } else {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(size));
        }
        if (exchange.request().method().equals(HttpMethod.HEAD)) {
            response.end();
            return;
        }
        writeFrom(response, size);
    }

    private static boolean parseChunked(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw InvalidInputException.of("chunked", value, "true or false");
    }

    /** Writes until the write queue is full, then again once it drains; stops if the client goes away. */
    private static void writeFrom(HttpServerResponse response, long remaining) {
        long left = remaining;
        while (left > 0 && !response.writeQueueFull()) {
            if (response.closed()) {
                return;
            }
            int size = (int) Math.min(CHUNK_SIZE, left);
            response.write(size == CHUNK_SIZE ? CHUNK : CHUNK.slice(0, size));
            left -= size;
        }
        if (left == 0) {
            response.end();
        } else {
            long stillLeft = left;
            response.drainHandler(v -> writeFrom(response, stillLeft));
        }
    }

    private static Buffer patternChunk() {
        byte[] pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[CHUNK_SIZE];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = pattern[i % pattern.length];
        }
        return Buffer.buffer(chunk);
    }
}
