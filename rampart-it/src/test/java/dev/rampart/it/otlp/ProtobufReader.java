package dev.rampart.it.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the protobuf wire format field by field: just enough to decode what an OTLP exporter sends, without
 * generated classes. Fields are read in the order they come; a caller skips what it does not know.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] bytes;
    private final int end;
    private int position;
    private int tag;

    ProtobufReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private ProtobufReader(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.position = start;
        this.end = end;
    }

    /** Moves to the next field; false at the end of this message. */
    boolean next() {
        if (position >= end) {
            return false;
        }
        tag = Math.toIntExact(readVarint());
        if (fieldNumber() == 0) {
            throw new IllegalArgumentException("field number 0 at byte " + position);
        }
        return true;
    }

    int fieldNumber() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long readVarint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = take();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at byte " + position);
    }

    long readFixed64() {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value |= (take() & 0xffL) << (8 * i);
        }
        return value;
    }

    int readFixed32() {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value |= (take() & 0xff) << (8 * i);
        }
        return value;
    }

    double readDouble() {
        return Double.longBitsToDouble(readFixed64());
    }

    byte[] readBytes() {
        int length = readLength();
        byte[] value = Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return value;
    }

    String readString() {
        int length = readLength();
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /** The embedded message in the current field, as a reader of its own. */
    ProtobufReader readMessage() {
        int length = readLength();
        ProtobufReader message = new ProtobufReader(bytes, position, position + length);
        position += length;
        return message;
    }

    /** Skips the value of the current field. */
    void skip() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> advance(readLength());
            case FIXED32 -> advance(4);
            default -> throw new IllegalArgumentException("wire type " + wireType() + " of field " + fieldNumber()
                    + " (expected: 0, 1, 2 or 5)");
        }
    }

    private int readLength() {
        long length = readVarint();
        if (length < 0 || length > end - position) {
            throw new IllegalArgumentException("length " + length + " at byte " + position + " runs past the end ("
                    + (end - position) + " bytes left)");
        }
        return (int) length;
    }

    private void advance(int count) {
        if (count > end - position) {
            throw new IllegalArgumentException("field runs past the end at byte " + position);
        }
        position += count;
    }

    private byte take() {
        if (position >= end) {
            throw new IllegalArgumentException("message truncated at byte " + position);
        }
        return bytes[position++];
    }
}
