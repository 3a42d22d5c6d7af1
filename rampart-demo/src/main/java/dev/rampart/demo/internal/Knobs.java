package dev.rampart.demo.internal;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The misbehaviour a demo service is asked for, set per request by query parameter or per service by
 * {@code PUT /_demo/knobs}. Every field is nullable: {@code null} means "not set", so a per-request value can
 * override a per-service one, including back to off ({@code hang=false}, {@code error-every=0}).
 *
 * @param latency     time added before answering
 * @param errorRate   fraction of requests, 0..1, answered with an injected error
 * @param errorEvery  every N-th request is answered with an injected error; 0 is off
 * @param errorStatus the status of injected errors; 500 when not set
 * @param hang        accept the request and never answer
 * @param hangRate    fraction of requests, 0..1, accepted and never answered
 * @param reset       drop the connection with a TCP reset instead of answering
 * @param resetRate   fraction of requests, 0..1, answered with a TCP reset
 * @param status      answer with this status code instead of the real answer
 * @param healthy     {@code false} makes {@code /healthz} answer 503
 * @param overloaded  every 503 answer says the service is overloaded: {@code Retry-After: 1} and
 *                    {@code x-rampart-overloaded: true}, which tell the gateway not to retry it
 */
public record Knobs(Latency latency, Double errorRate, Integer errorEvery, Integer errorStatus, Boolean hang,
                    Double hangRate, Boolean reset, Double resetRate, Integer status, Boolean healthy,
                    Boolean overloaded) {

    public static final Knobs NONE = new Builder().build();

    public static final String LATENCY = "latency";
    public static final String ERROR_RATE = "error-rate";
    public static final String ERROR_EVERY = "error-every";
    public static final String ERROR_STATUS = "error-status";
    public static final String HANG = "hang";
    public static final String HANG_RATE = "hang-rate";
    public static final String RESET = "reset";
    public static final String RESET_RATE = "reset-rate";
    public static final String STATUS = "status";
    public static final String HEALTHY = "healthy";
    public static final String OVERLOADED = "overloaded";
    public static final List<String> NAMES = List.of(LATENCY, ERROR_RATE, ERROR_EVERY, ERROR_STATUS, HANG, HANG_RATE,
            RESET, RESET_RATE, STATUS, HEALTHY, OVERLOADED);

    /** The status of an injected error when {@code error-status} is not set. */
    public static final int DEFAULT_ERROR_STATUS = 500;

    private static final Pattern FRACTION = Pattern.compile("0(\\.\\d{1,9})?|1(\\.0{1,9})?|\\.\\d{1,9}");
    private static final Pattern PERCENTAGE = Pattern.compile("(100(\\.0{1,9})?|\\d{1,2}(\\.\\d{1,9})?)%");
    private static final Pattern COUNT = Pattern.compile("\\d{1,9}");
    private static final Pattern STATUS_CODE = Pattern.compile("[2-5]\\d\\d");
    private static final Pattern ERROR_STATUS_CODE = Pattern.compile("[45]\\d\\d");

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
                throw unknownName(entry.getKey(), value);
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
        return new Builder(this).set(name, parse(name, text)).build();
    }

    /** These knobs with each one set in {@code overrides} replaced by it. */
    public Knobs overriddenBy(Knobs overrides) {
        Builder merged = new Builder(this);
        for (String name : NAMES) {
            Object value = overrides.value(name);
            if (value != null) {
                merged.set(name, value);
            }
        }
        return merged.build();
    }

    /** Whether every N-th request is to fail, so requests must be counted. */
    public boolean countsRequests() {
        return errorEvery != null && errorEvery > 0;
    }

    /** Whether any of the rate knobs is above zero, so a random draw decides the request's fate. */
    public boolean drawsFaults() {
        return positive(resetRate) || positive(hangRate) || positive(errorRate);
    }

    /** The status injected errors are answered with. */
    public int injectedErrorStatus() {
        return errorStatus != null ? errorStatus : DEFAULT_ERROR_STATUS;
    }

    /** Whether {@code /healthz} is to answer 200; only {@code healthy=false} makes it fail. */
    public boolean reportsHealthy() {
        return !Boolean.FALSE.equals(healthy);
    }

    /** Whether 503 answers are to carry the overload signals. */
    public boolean signalsOverload() {
        return Boolean.TRUE.equals(overloaded);
    }

    /** The knobs that are set, in the form {@code PUT /_demo/knobs} accepts. */
    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        for (String name : NAMES) {
            Object value = value(name);
            if (value != null) {
                json.put(name, value instanceof Latency l ? l.toString() : value);
            }
        }
        return json;
    }

    private Object value(String name) {
        return switch (name) {
            case LATENCY -> latency;
            case ERROR_RATE -> errorRate;
            case ERROR_EVERY -> errorEvery;
            case ERROR_STATUS -> errorStatus;
            case HANG -> hang;
            case HANG_RATE -> hangRate;
            case RESET -> reset;
            case RESET_RATE -> resetRate;
            case STATUS -> status;
            case HEALTHY -> healthy;
            case OVERLOADED -> overloaded;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Object parse(String name, String text) {
        return switch (name) {
            case LATENCY -> Latency.parse(text);
            case ERROR_RATE, HANG_RATE, RESET_RATE -> parseRate(name, text);
            case ERROR_EVERY -> parseCount(text);
            case ERROR_STATUS -> parseStatus(ERROR_STATUS, ERROR_STATUS_CODE, text, "a status code from 400 to 599");
            case STATUS -> parseStatus(STATUS, STATUS_CODE, text, "a status code from 200 to 599");
            case HANG, RESET, HEALTHY, OVERLOADED -> parseFlag(name, text);
            default -> throw unknownName(name, text);
        };
    }

    private static InvalidInputException unknownName(String name, Object value) {
        return InvalidInputException.of(name, value, "a knob name, one of " + String.join(", ", NAMES));
    }

    private static boolean positive(Double rate) {
        return rate != null && rate > 0;
    }

    /** A fraction ({@code 0.25}) or a percentage ({@code 25%}), read as a fraction. */
    private static double parseRate(String name, String text) {
        if (FRACTION.matcher(text).matches()) {
            return Double.parseDouble(text);
        }
        Matcher percentage = PERCENTAGE.matcher(text);
        if (percentage.matches()) {
            return new BigDecimal(percentage.group(1)).movePointLeft(2).doubleValue(); // 99.9% is 0.999, exactly
        }
        throw InvalidInputException.of(name, text, "a fraction from 0 to 1 such as 0.25, or a percentage such as 25%");
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

    private static int parseStatus(String name, Pattern allowed, String text, String expected) {
        if (!allowed.matcher(text).matches()) {
            throw InvalidInputException.of(name, text, expected);
        }
        return Integer.parseInt(text);
    }

    /** Knobs being put together one by one; values arrive already parsed. */
    private static final class Builder {
        private Latency latency;
        private Double errorRate;
        private Integer errorEvery;
        private Integer errorStatus;
        private Boolean hang;
        private Double hangRate;
        private Boolean reset;
        private Double resetRate;
        private Integer status;
        private Boolean healthy;
        private Boolean overloaded;

        Builder() {
        }

        Builder(Knobs from) {
            latency = from.latency;
            errorRate = from.errorRate;
            errorEvery = from.errorEvery;
            errorStatus = from.errorStatus;
            hang = from.hang;
            hangRate = from.hangRate;
            reset = from.reset;
            resetRate = from.resetRate;
            status = from.status;
            healthy = from.healthy;
            overloaded = from.overloaded;
        }

        Builder set(String name, Object value) {
            switch (name) {
                case LATENCY -> latency = (Latency) value;
                case ERROR_RATE -> errorRate = (Double) value;
                case ERROR_EVERY -> errorEvery = (Integer) value;
                case ERROR_STATUS -> errorStatus = (Integer) value;
                case HANG -> hang = (Boolean) value;
                case HANG_RATE -> hangRate = (Double) value;
                case RESET -> reset = (Boolean) value;
                case RESET_RATE -> resetRate = (Double) value;
                case STATUS -> status = (Integer) value;
                case HEALTHY -> healthy = (Boolean) value;
                case OVERLOADED -> overloaded = (Boolean) value;
                default -> throw new IllegalArgumentException(name);
            }
            return this;
        }

        Knobs build() {
            return new Knobs(latency, errorRate, errorEvery, errorStatus, hang, hangRate, reset, resetRate, status,
                    healthy, overloaded);
        }
    }
}
