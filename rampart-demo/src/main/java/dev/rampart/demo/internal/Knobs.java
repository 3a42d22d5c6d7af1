package dev.rampart.demo.internal;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The misbehaviour a demo service is asked for, set per request by query parameter or per service by
 * {@code PUT /_demo/knobs}. Every field is nullable: {@code null} means "not set", so a per-request value can
 * override a per-service one, including back to off ({@code hang=false}, {@code error-every=0}).
 *
 * @param latency    time added before answering
 * @param errorRate  fraction of requests, 0..1, answered 500
 * @param errorEvery every N-th request is answered 500; 0 is off
 * @param hang       accept the request and never answer
 * @param reset      drop the connection with a TCP reset instead of answering
 * @param status     answer with this status code instead of the real answer
 */
public record Knobs(Latency latency, Double errorRate, Integer errorEvery, Boolean hang, Boolean reset,
                    Integer status) {

    public static final Knobs NONE = new Knobs(null, null, null, null, null, null);

    public static final String LATENCY = "latency";
    public static final String ERROR_RATE = "error-rate";
    public static final String ERROR_EVERY = "error-every";
    public static final String HANG = "hang";
    public static final String RESET = "reset";
    public static final String STATUS = "status";
    public static final List<String> NAMES = List.of(LATENCY, ERROR_RATE, ERROR_EVERY, HANG, RESET, STATUS);

    private static final Pattern RATE = Pattern.compile("0(\\.\\d{1,9})?|1(\\.0{1,9})?|\\.\\d{1,9}");
    private static final Pattern COUNT = Pattern.compile("\\d{1,9}");
    private static final Pattern STATUS_CODE = Pattern.compile("[2-5]\\d\\d");

    /** Reads the knobs among a request's query parameters; other parameters are left to the endpoint. */
    public static Knobs fromQuery(MultiMap params) {
        Knobs knobs = NONE;
        for (String name : NAMES) {
            List<String> values = params.getAll(name);
            if (values.size() > 1) {
                throw InvalidInputException.of(name, values, "a single value");
            }
            if (!values.isEmpty()) {
                knobs = knobs.with(name, values.get(0));
            }
        }
        return knobs;
    }

    /** Reads a {@code PUT /_demo/knobs} body: an object of knob names to values (strings, numbers or booleans). */
    public static Knobs fromJson(JsonObject body) {
        Knobs knobs = NONE;
        for (Map.Entry<String, Object> entry : body) {
            Object value = entry.getValue();
            if (!NAMES.contains(entry.getKey())) {
                throw InvalidInputException.of(entry.getKey(), value,
                        "a knob name, one of " + String.join(", ", NAMES));
            }
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                knobs = knobs.with(entry.getKey(), String.valueOf(value));
            } else if (value != null) {
                throw InvalidInputException.of(entry.getKey(), value, "a string, number or boolean");
            }
        }
        return knobs;
    }

    /** These knobs with one more set from its text form; a bad value is refused with a message naming it. */
    public Knobs with(String name, String text) {
        return switch (name) {
            case LATENCY -> new Knobs(Latency.parse(text), errorRate, errorEvery, hang, reset, status);
            case ERROR_RATE -> new Knobs(latency, parseRate(text), errorEvery, hang, reset, status);
            case ERROR_EVERY -> new Knobs(latency, errorRate, parseCount(text), hang, reset, status);
            case HANG -> new Knobs(latency, errorRate, errorEvery, parseFlag(HANG, text), reset, status);
            case RESET -> new Knobs(latency, errorRate, errorEvery, hang, parseFlag(RESET, text), status);
            case STATUS -> new Knobs(latency, errorRate, errorEvery, hang, reset, parseStatus(text));
            default -> throw InvalidInputException.of(name, text, "a knob name, one of " + String.join(", ", NAMES));
        };
    }

    /** These knobs with each one set in {@code overrides} replaced by it. */
    public Knobs overriddenBy(Knobs overrides) {
        return new Knobs(
                overrides.latency != null ? overrides.latency : latency,
                overrides.errorRate != null ? overrides.errorRate : errorRate,
                overrides.errorEvery != null ? overrides.errorEvery : errorEvery,
                overrides.hang != null ? overrides.hang : hang,
                overrides.reset != null ? overrides.reset : reset,
                overrides.status != null ? overrides.status : status);
    }

    /** Whether every N-th request is to fail, so requests must be counted. */
    public boolean countsRequests() {
        return errorEvery != null && errorEvery > 0;
    }

    /** The knobs that are set, in the form {@code PUT /_demo/knobs} accepts. */
    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        if (latency != null) {
            json.put(LATENCY, latency.toString());
        }
        if (errorRate != null) {
            json.put(ERROR_RATE, errorRate);
        }
        if (errorEvery != null) {
            json.put(ERROR_EVERY, errorEvery);
        }
        if (hang != null) {
            json.put(HANG, hang);
        }
        if (reset != null) {
            json.put(RESET, reset);
        }
        if (status != null) {
            json.put(STATUS, status);
        }
        return json;
    }

    private static double parseRate(String text) {
        if (!RATE.matcher(text).matches()) {
            throw InvalidInputException.of(ERROR_RATE, text, "a fraction from 0 to 1, such as 0.25");
        }
        return Double.parseDouble(text);
    }

    private static int parseCount(String text) {
        if (!COUNT.matcher(text).matches()) {
            throw InvalidInputException.of(ERROR_EVERY, text,
                    "a whole number N >= 1 to fail every N-th request, or 0 for off");
        }
        return Integer.parseInt(text);
    }

    private static boolean parseFlag(String name, String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw InvalidInputException.of(name, text, "true or false");
        };
    }

    private static int parseStatus(String text) {
        if (!STATUS_CODE.matcher(text).matches()) {
            throw InvalidInputException.of(STATUS, text, "a status code from 200 to 599");
        }
        return Integer.parseInt(text);
    }
}
