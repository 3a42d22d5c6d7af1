package dev.rampart.gateway.logging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * JSON lines written straight into UTF-8 bytes: the access log's hot path. A {@link StringBuilder} would cost a
 * copy into a String and another into bytes per line, plus the garbage of both; this writes each byte once, into an
 * array the {@link StdoutSink} writes out and hands back for reuse.
 */
public final class JsonLineBuffer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = ascii("null");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private record CachedSecond(long epochSecond, byte[] text) {
    }

    private static volatile CachedSecond cachedSecond = new CachedSecond(Long.MIN_VALUE, new byte[0]);

    private byte[] bytes;
    private int length;

    public JsonLineBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    /** Writes into {@code array} from its start: a recycled array. */
    public JsonLineBuffer(byte[] array) {
        this.bytes = array;
    }

    /** The bytes of a constant, for {@link #raw(byte[])}. ASCII only. */
    public static byte[] ascii(String constant) {
        return constant.getBytes(StandardCharsets.US_ASCII);
    }

    public int length() {
        return length;
    }

    public byte[] array() {
        return bytes;
    }

    /** Hands out the written bytes' array and starts over in {@code next}. */
    public byte[] swap(byte[] next) {
        byte[] written = bytes;
        bytes = next;
        length = 0;
        return written;
    }

    public void clear() {
        length = 0;
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private void ensure(int extra) {
        if (length + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }

    public JsonLineBuffer raw(byte[] constant) {
        ensure(constant.length);
        System.arraycopy(constant, 0, bytes, length, constant.length);
        length += constant.length;
        return this;
    }

    public JsonLineBuffer raw(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** {@code "value"} as a JSON string (escaped, UTF-8), or {@code null}. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): a bulk copy for the all-ASCII case
    public JsonLineBuffer string(CharSequence value) {
        if (value == null) {
            return raw(NULL);
        }
        int n = value.length();
        int plain = 0;
        while (plain < n && isPlain(value.charAt(plain))) {
            plain++;
        }
        ensure(n + 2);
        bytes[length++] = '"';
        if (value instanceof String s) {
            s.getBytes(0, plain, bytes, length);
            length += plain;
        } else {
            for (int i = 0; i < plain; i++) {
                bytes[length++] = (byte) value.charAt(i);
            }
        }
        if (plain < n) {
            escapeRest(value, plain);
        }
        ensure(1);
        bytes[length++] = '"';
        return this;
    }

    private static boolean isPlain(char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    }

    private void escapeRest(CharSequence value, int from) {
        int n = value.length();
        for (int i = from; i < n; i++) {
            char c = value.charAt(i);
            ensure(12);
            if (isPlain(c)) {
                bytes[length++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            } else if (c == '\n') {
                bytes[length++] = '\\';
                bytes[length++] = 'n';
            } else if (c == '\r') {
                bytes[length++] = '\\';
                bytes[length++] = 'r';
            } else if (c == '\t') {
                bytes[length++] = '\\';
                bytes[length++] = 't';
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                unicodeEscape(c);
            } else if (c < 0x800) {
                bytes[length++] = (byte) (0xc0 | (c >> 6));
                bytes[length++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(++i));
                bytes[length++] = (byte) (0xf0 | (cp >> 18));
                bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                bytes[length++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                unicodeEscape(c); // a lone surrogate has no UTF-8 form; JSON's escape keeps it visible
            } else {
                bytes[length++] = (byte) (0xe0 | (c >> 12));
                bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                bytes[length++] = (byte) (0x80 | (c & 0x3f));
            }
        }
    }

    private void unicodeEscape(char c) {
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = HEX[(c >> 12) & 0xf];
        bytes[length++] = HEX[(c >> 8) & 0xf];
        bytes[length++] = HEX[(c >> 4) & 0xf];
        bytes[length++] = HEX[c & 0xf];
    }

    public JsonLineBuffer number(long value) {
        if (value >= 0 && value < 1000) { // statuses, attempts, sub-second millis: most numbers in a line
            smallNumber((int) value);
            return this;
        }
        ensure(20);
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                return raw(ascii(Long.toString(value)));
            }
            bytes[length++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int at = length + digits;
        length = at;
        do {
            bytes[--at] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        return this;
    }

    private void smallNumber(int value) {
        ensure(3);
        if (value >= 100) {
            bytes[length++] = (byte) ('0' + value / 100);
            bytes[length++] = (byte) ('0' + value / 10 % 10);
        } else if (value >= 10) {
            bytes[length++] = (byte) ('0' + value / 10);
        }
        bytes[length++] = (byte) ('0' + value % 10);
    }

    /** A duration in milliseconds with microsecond precision ({@code 12.345}) from nanoseconds; negative → 0. */
    public JsonLineBuffer millis(long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        number(micros / 1000);
        ensure(4);
        int frac = (int) (micros % 1000);
        bytes[length++] = '.';
        bytes[length++] = (byte) ('0' + frac / 100);
        bytes[length++] = (byte) ('0' + frac / 10 % 10);
        bytes[length++] = (byte) ('0' + frac % 10);
        return this;
    }

    /** RFC 3339 UTC with milliseconds, unquoted ({@code 2026-11-25T16:50:12.345Z}). */
    public JsonLineBuffer timestamp(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        CachedSecond c = cachedSecond;
        if (c.epochSecond != second) {
            c = new CachedSecond(second, ascii(SECONDS.format(Instant.ofEpochSecond(second))));
            cachedSecond = c;
        }
        raw(c.text);
        ensure(5);
        bytes[length++] = '.';
        bytes[length++] = (byte) ('0' + millis / 100);
        bytes[length++] = (byte) ('0' + millis / 10 % 10);
        bytes[length++] = (byte) ('0' + millis % 10);
        bytes[length++] = 'Z';
        return this;
    }
}
