package dev.rampart.gateway.metrics;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.observe.ExchangeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bounded label values of a finished request (method, status class, error code), each with a dense index so
 * that meters can sit in arrays instead of being looked up by label strings per request.
 */
final class RequestLabels {
    /** The route and upstream label of a request that matched no route. */
    static final String NONE = "none";
    /** Extension methods, lower-case spellings, unparsable requests, and codes not in {@link ErrorCode}. */
    static final String OTHER = "other";

    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
            "CONNECT", OTHER);
    static final List<String> STATUS_CLASSES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");
    static final List<String> ERROR_CODES = errorCodes();

    private static final Map<String, Integer> METHOD_INDEX = indexOf(METHODS);
    private static final Map<String, Integer> ERROR_INDEX = indexOf(ERROR_CODES);

    private RequestLabels() {
    }

    /** Index into {@link #METHODS}; methods are case-sensitive, so {@code get} is an extension method. */
    static int method(String method) {
        Integer index = method == null ? null : METHOD_INDEX.get(method);
        return index == null ? METHODS.size() - 1 : index;
    }

    /** Index into {@link #STATUS_CLASSES}. */
    static int statusClass(ExchangeRecord record) {
        return record.statusClass().charAt(0) - '1';
    }

    /** Index into {@link #ERROR_CODES}. */
    static int errorCode(String code) {
        Integer index = ERROR_INDEX.get(code);
        return index == null ? ERROR_CODES.size() - 1 : index;
    }

    private static List<String> errorCodes() {
        List<String> codes = new ArrayList<>();
        for (ErrorCode code : ErrorCode.values()) {
            codes.add(code.code());
        }
        codes.add(OTHER);
        return List.copyOf(codes);
    }

    private static Map<String, Integer> indexOf(List<String> values) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            index.putIfAbsent(values.get(i), i);
        }
        return Map.copyOf(index);
    }
}
