package dev.rampart.it.otlp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the body of an OTLP/HTTP protobuf traces export ({@code ExportTraceServiceRequest} of
 * {@code opentelemetry/proto/collector/trace/v1}) into spans. Field numbers are those of the OTLP protos.
 */
final class TraceExportDecoder {
    private static final HexFormat HEX = HexFormat.of();

    private TraceExportDecoder() {
    }

    static List<ExportedSpan> decode(byte[] body) {
        List<ExportedSpan> spans = new ArrayList<>();
        ProtobufReader request = new ProtobufReader(body);
        while (request.next()) {
            if (request.fieldNumber() == 1) { // resource_spans
                resourceSpans(request.readMessage(), spans);
            } else {
                request.skip();
            }
        }
        return spans;
    }

    private static void resourceSpans(ProtobufReader message, List<ExportedSpan> out) {
        Map<String, Object> resource = Map.of();
        List<ProtobufReader> scopes = new ArrayList<>();
        while (message.next()) {
            switch (message.fieldNumber()) {
                case 1 -> resource = resource(message.readMessage());
                case 2 -> scopes.add(message.readMessage()); // scope_spans, decoded once the resource is known
                default -> message.skip();
            }
        }
        for (ProtobufReader scope : scopes) {
            scopeSpans(scope, resource, out);
        }
    }

    private static Map<String, Object> resource(ProtobufReader message) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        while (message.next()) {
            if (message.fieldNumber() == 1) {
                keyValue(message.readMessage(), attributes);
            } else {
                message.skip();
            }
        }
        return Map.copyOf(attributes);
    }

    private static void scopeSpans(ProtobufReader message, Map<String, Object> resource, List<ExportedSpan> out) {
        String scopeName = "";
        List<ProtobufReader> spans = new ArrayList<>();
        while (message.next()) {
            switch (message.fieldNumber()) {
                case 1 -> scopeName = scopeName(message.readMessage());
                case 2 -> spans.add(message.readMessage());
                default -> message.skip();
            }
        }
        for (ProtobufReader span : spans) {
            out.add(span(span, scopeName, resource));
        }
    }

    private static String scopeName(ProtobufReader message) {
        String name = "";
        while (message.next()) {
            if (message.fieldNumber() == 1) {
                name = message.readString();
            } else {
                message.skip();
            }
        }
        return name;
    }

    private static ExportedSpan span(ProtobufReader message, String scopeName, Map<String, Object> resource) {
        String traceId = "";
        String spanId = "";
        String parentSpanId = "";
        String traceState = "";
        String name = "";
        ExportedSpan.Kind kind = ExportedSpan.Kind.UNSPECIFIED;
        long start = 0;
        long end = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        ExportedSpan.Status status = ExportedSpan.Status.UNSET;
        String statusMessage = "";
        while (message.next()) {
            switch (message.fieldNumber()) {
                case 1 -> traceId = HEX.formatHex(message.readBytes());
                case 2 -> spanId = HEX.formatHex(message.readBytes());
                case 3 -> traceState = message.readString();
                case 4 -> parentSpanId = HEX.formatHex(message.readBytes());
                case 5 -> name = message.readString();
                case 6 -> kind = ExportedSpan.Kind.values()[Math.toIntExact(message.readVarint())];
                case 7 -> start = message.readFixed64();
                case 8 -> end = message.readFixed64();
                case 9 -> keyValue(message.readMessage(), attributes);
                case 15 -> {
                    SpanStatus decoded = status(message.readMessage());
                    status = decoded.code();
                    statusMessage = decoded.message();
                }
                default -> message.skip();
            }
        }
        return new ExportedSpan(traceId, spanId, parentSpanId, traceState, name, kind, start, end,
                Collections.unmodifiableMap(attributes), status, statusMessage, scopeName, resource);
    }

    private record SpanStatus(ExportedSpan.Status code, String message) {
    }

    private static SpanStatus status(ProtobufReader message) {
        ExportedSpan.Status code = ExportedSpan.Status.UNSET;
        String text = "";
        while (message.next()) {
            switch (message.fieldNumber()) {
                case 2 -> text = message.readString();
                case 3 -> code = ExportedSpan.Status.values()[Math.toIntExact(message.readVarint())];
                default -> message.skip();
            }
        }
        return new SpanStatus(code, text);
    }

    /** A {@code KeyValue} into {@code into}. */
    private static void keyValue(ProtobufReader message, Map<String, Object> into) {
        String key = null;
        Object value = null;
        while (message.next()) {
            switch (message.fieldNumber()) {
                case 1 -> key = message.readString();
                case 2 -> value = anyValue(message.readMessage());
                default -> message.skip();
            }
        }
        if (key != null) {
            into.put(key, value);
        }
    }

    /** An {@code AnyValue}: one of string, bool, int, double, array, key-value list or bytes; null when empty. */
    private static Object anyValue(ProtobufReader message) {
        Object value = null;
        while (message.next()) {
            switch (message.fieldNumber()) {
                case 1 -> value = message.readString();
                case 2 -> value = message.readVarint() != 0;
                case 3 -> value = message.readVarint();
                case 4 -> value = message.readDouble();
                case 5 -> {
                    List<Object> values = new ArrayList<>();
                    ProtobufReader array = message.readMessage();
                    while (array.next()) {
                        if (array.fieldNumber() == 1) {
                            values.add(anyValue(array.readMessage()));
                        } else {
                            array.skip();
                        }
                    }
                    value = values;
                }
                case 6 -> {
                    Map<String, Object> values = new LinkedHashMap<>();
                    ProtobufReader list = message.readMessage();
                    while (list.next()) {
                        if (list.fieldNumber() == 1) {
                            keyValue(list.readMessage(), values);
                        } else {
                            list.skip();
                        }
                    }
                    value = values;
                }
                case 7 -> value = message.readBytes();
                default -> message.skip();
            }
        }
        return value;
    }
}
