package dev.rampart.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One client TCP connection that speaks HTTP/1.1 byte by byte, so a test can send what no well-behaved client would
 * (malformed heads, conflicting lengths, slow headers) and see exactly what comes back, including whether the
 * connection was closed. Every read is bounded by the socket timeout.
 */
public final class RawHttp implements Closeable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; reads time out after 15 s unless {@link #timeout} says otherwise. */
    public static RawHttp connect(int port) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            return new RawHttp(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** A whole request, e.g. {@code "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}, as ISO-8859-1 bytes. */
    public static String request(String method, String target, String... headerLines) {
        StringBuilder text = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (String header : headerLines) {
            text.append(header).append("\r\n");
        }
        return text.append("\r\n").toString();
    }

    public RawHttp timeout(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
    }

    /** Sends, and reports whether the bytes could be written (false once the peer has closed or reset). */
    public boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether response bytes are waiting to be read, without blocking. */
    public boolean hasBytesToRead() {
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true; // a read will tell what happened
        }
    }

    public OutputStream output() {
        return out;
    }

    /** Reads one response (skipping 1xx), its body delimited by Content-Length, chunked encoding or the close. */
    public Response readResponse() {
        try {
            Response head;
            do {
                head = readHead();
            } while (head.status() >= 100 && head.status() < 200);
            return head.withBody(readBody(head));
        } catch (IOException e) {
            throw new UncheckedIOException("no complete response: " + e.getMessage(), e);
        }
    }

    /** Reads a response head only; the body is left to {@link #discard} or {@link #readBody}. */
    public Response readResponseHead() {
        try {
            Response head;
            do {
                head = readHead();
            } while (head.status() >= 100 && head.status() < 200);
            return head;
        } catch (IOException e) {
            throw new UncheckedIOException("no response head: " + e.getMessage(), e);
        }
    }

    /** Reads and drops up to {@code max} bytes; returns how many came before the end of the stream or {@code max}. */
    public long discard(long max) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (total < max) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, max - total));
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /**
     * Waits up to the socket timeout for the peer to close: true on end of stream or reset, false when the
     * connection is still open when the timeout passes. Bytes arriving meanwhile are dropped.
     */
    public boolean awaitClosedByPeer() {
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Everything until the peer closes (bounded by the socket timeout), as ISO-8859-1 text. */
    public String readUntilClosed() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        } catch (IOException timeoutOrReset) {
            // what arrived is what there is
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private Response readHead() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        return new Response(statusLine, Integer.parseInt(parts[1]), headers, new byte[0]);
    }

    public byte[] readBody(Response head) throws IOException {
        int status = head.status();
        if (status == 204 || status == 304) {
            return new byte[0];
        }
        if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            return readChunked();
        }
        String length = head.header("content-length");
        if (length != null) {
            return in.readNBytes(Integer.parseInt(length));
        }
        return in.readAllBytes();
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                    // trailers are not used by these tests
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test connection; nothing to recover
        }
    }

    /** A response as it came over the wire; header names are lower-cased. */
    public record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {

        Response withBody(byte[] newBody) {
            return new Response(statusLine, status, headers, newBody);
        }

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return JsonLines.parse(bodyText());
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + bodyText();
        }
    }
}
