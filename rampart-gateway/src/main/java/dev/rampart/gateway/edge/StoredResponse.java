package dev.rampart.gateway.edge;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole response kept to be sent again: by the cache (with its freshness) or for an idempotency key. Immutable;
 * encodes to one compact binary value for Redis.
 *
 * @param status            the status sent
 * @param headers           end-to-end headers only (no hop-by-hop, no {@code x-request-id}), lower-case names
 * @param body              the whole body
 * @param storedMillis      when it was stored (epoch ms)
 * @param freshSeconds      for the cache: how long after {@code storedMillis} it is fresh (its arrival age deducted: negative when it arrived stale)
 * @param staleWhileRevalidate for the cache: seconds past freshness it is served while refreshed
 * @param staleIfError      for the cache: seconds past freshness it stands in for a failing upstream
 * @param ageAtArrival      for the cache: the age the upstream reported, in seconds
 */
public record StoredResponse(int status, List<Map.Entry<String, String>> headers, Buffer body, long storedMillis,
                             long freshSeconds, long staleWhileRevalidate, long staleIfError, long ageAtArrival) {
    private static final byte VERSION = 1;

    public StoredResponse {
        headers = List.copyOf(headers);
    }

    /** The first value of a header (lower-case name), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** Every value of a header (lower-case name). */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>(1);
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(name)) {
                values.add(header.getValue());
            }
        }
        return values;
    }

    public MultiMap headersAsMultiMap() {
        MultiMap map = HttpHeaders.headers();
        for (Map.Entry<String, String> header : headers) {
            map.add(header.getKey(), header.getValue());
        }
        return map;
    }

    /** Seconds since it was stored, plus the age it arrived with (RFC 9111 §4.2.3, simplified for one hop). */
    public long ageSeconds(long nowMillis) {
        return Math.max(0, (nowMillis - storedMillis) / 1000) + ageAtArrival;
    }

    /** How far past its freshness it is, in seconds; negative while fresh. */
    public long staleForSeconds(long nowMillis) {
        return Math.max(0, (nowMillis - storedMillis) / 1000) - freshSeconds;
    }

    public boolean fresh(long nowMillis) {
        return nowMillis - storedMillis < freshSeconds * 1000;
    }

    /** The same response, fresh again from {@code nowMillis} (after a 304 from the upstream), with updated headers. */
    public StoredResponse refreshed(List<Map.Entry<String, String>> newHeaders, long nowMillis, long fresh,
                                    long swr, long sie) {
        return new StoredResponse(status, newHeaders, body, nowMillis, fresh, swr, sie, 0);
    }

    public int weight() {
        int size = body.length() + 64;
        for (Map.Entry<String, String> header : headers) {
            size += header.getKey().length() + header.getValue().length() + 8;
        }
        return size;
    }

    public Buffer encode() {
        Buffer out = Buffer.buffer(weight() + 32);
        out.appendByte(VERSION).appendInt(status).appendLong(storedMillis).appendLong(freshSeconds)
                .appendLong(staleWhileRevalidate).appendLong(staleIfError).appendLong(ageAtArrival)
                .appendInt(headers.size());
        for (Map.Entry<String, String> header : headers) {
            string(out, header.getKey());
            string(out, header.getValue());
        }
        out.appendInt(body.length()).appendBuffer(body);
        return out;
    }

    private static void string(Buffer out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.appendInt(bytes.length).appendBytes(bytes);
    }

    /** Reads what {@link #encode()} wrote; null when it is not such a value (another version, or damaged). */
    public static StoredResponse decode(Buffer in) {
        try {
            if (in.length() < 45 || in.getByte(0) != VERSION) {
                return null;
            }
            int pos = 1;
            int status = in.getInt(pos);
            long stored = in.getLong(pos += 4);
            long fresh = in.getLong(pos += 8);
            long swr = in.getLong(pos += 8);
            long sie = in.getLong(pos += 8);
            long age = in.getLong(pos += 8);
            int count = in.getInt(pos += 8);
            pos += 4;
            if (count < 0 || count > 1000) {
                return null;
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int nameLength = in.getInt(pos);
                String name = in.getString(pos + 4, pos + 4 + nameLength, "UTF-8");
                pos += 4 + nameLength;
                int valueLength = in.getInt(pos);
                String value = in.getString(pos + 4, pos + 4 + valueLength, "UTF-8");
                pos += 4 + valueLength;
                headers.add(Map.entry(name, value));
            }
            int bodyLength = in.getInt(pos);
            if (bodyLength < 0 || pos + 4 + bodyLength != in.length()) {
                return null;
            }
            return new StoredResponse(status, headers, in.getBuffer(pos + 4, pos + 4 + bodyLength), stored, fresh,
                    swr, sie, age);
        } catch (IndexOutOfBoundsException | IllegalArgumentException damaged) {
            return null;
        }
    }
}
