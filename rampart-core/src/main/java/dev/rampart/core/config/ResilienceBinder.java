package dev.rampart.core.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds the resilience sections of upstreams (backup, health checks, circuit breaker, outlier detection, retry
 * budget, concurrency limit) and of routes (retries, hedging, fallback, concurrency limit, faults).
 */
final class ResilienceBinder {

    static final List<String> HEALTH_CHECK_KEYS = List.of("path", "interval", "timeout", "healthy-threshold",
            "unhealthy-threshold");
    static final List<String> CIRCUIT_BREAKER_KEYS = List.of("enabled", "failure-rate", "slow-call-rate",
            "slow-call-duration", "window", "minimum-calls", "open-duration", "half-open-calls");
    static final List<String> OUTLIER_DETECTION_KEYS = List.of("enabled", "consecutive-failures", "base-ejection",
            "max-ejection", "max-ejected");
    static final List<String> RETRY_BUDGET_KEYS = List.of("enabled", "ratio", "min-retries-per-second", "window");
    static final List<String> FIXED_LIMIT_KEYS = List.of("kind", "limit");
    static final List<String> ADAPTIVE_LIMIT_KEYS = List.of("kind", "initial", "min", "max");
    static final List<String> CONCURRENCY_LIMIT_KEYS = List.of("kind", "limit", "initial", "min", "max");
    static final List<String> RETRY_KEYS = List.of("attempts", "retry-on", "per-try-timeout", "backoff",
            "max-buffered-body");
    static final List<String> BACKOFF_KEYS = List.of("base", "cap", "jitter");
    static final List<String> HEDGE_KEYS = List.of("delay", "min-delay");
    static final List<String> FALLBACK_KEYS = List.of("status", "headers", "body");
    static final List<String> FAULT_KEYS = List.of("delay", "abort", "header");
    static final List<String> DELAY_FAULT_KEYS = List.of("duration", "min", "max", "percentage");
    static final List<String> ABORT_FAULT_KEYS = List.of("status", "percentage");

    private static final Duration MIN_DURATION = Duration.ofMillis(1);
    /** The headers that frame a response; a fallback that set them could contradict its own body. */
    private static final List<String> FRAMING_HEADERS = List.of("content-length", "transfer-encoding", "connection");
    private static final Pattern PROBE_PATH = Pattern.compile("/[^\\s#]*");
    private static final Pattern HEADER_VALUE = Pattern.compile("[^\\x00-\\x08\\x0a-\\x1f\\x7f]*");
    private static final Pattern STATUS = Pattern.compile("[0-9]{3}");

    private static final String PROBE_PATH_EXPECTED = "a path starting with /, e.g. /healthz";
    private static final String LIMIT_KIND_EXPECTED = ValueReader.oneOf(
            EnumSet.allOf(ConcurrencyLimitConfig.Kind.class).stream().map(ConcurrencyLimitConfig.Kind::configName)
                    .toList());
    private static final String RETRY_ON_EXPECTED = String.join(", ",
            EnumSet.allOf(RetryCondition.class).stream().map(RetryCondition::configName).toList())
            + ", 429 or a status from 500 to 599";
    private static final String HEDGE_DELAY_EXPECTED = ValueReader.durationExpected(MIN_DURATION, HedgeConfig.MAX_DELAY)
            + ", or p95 (the route's measured 95th percentile)";
    private static final String FAULT_DELAY_EXPECTED = "a duration, or min and max";
    private static final String ABORT_STATUS_EXPECTED = "a status from 200 to 599, or reset (the connection is reset)";

    private final ValueReader values;

    ResilienceBinder(ValueReader values) {
        this.values = values;
    }

    // --- upstreams ---------------------------------------------------------------------------------------------

    /**
     * Checks every {@code backup} among {@code upstreams} once all are known: it names another upstream, and
     * following backups never leads back to where it started (each loop is reported once, at its first upstream).
     */
    void checkBackups(YamlNode.Mapping upstreams) {
        Set<String> names = upstreams.entries().keySet();
        Map<String, String> backups = new LinkedHashMap<>();
        Map<String, YamlNode> backupNodes = new LinkedHashMap<>();
        for (YamlNode.Entry entry : upstreams.entries().values()) {
            // A backup that is not a plain value was reported when the upstream was read.
            if (!(entry.value() instanceof YamlNode.Mapping upstream)
                    || !(upstream.get("backup") instanceof YamlNode.Scalar node) || node.isNull()) {
                continue;
            }
            List<String> others = names.stream().filter(name -> !name.equals(entry.key())).toList();
            if (others.contains(node.text())) {
                backups.put(entry.key(), node.text());
                backupNodes.put(entry.key(), node);
            } else {
                values.reject(node, others.isEmpty()
                        ? "the name of another upstream; " + entry.key() + " is the only one"
                        : "one of the other upstreams: " + String.join(", ", others));
            }
        }
        Set<String> inReportedLoop = new HashSet<>();
        for (String start : backups.keySet()) {
            List<String> chain = new ArrayList<>(List.of(start));
            String next = backups.get(start);
            while (next != null && !chain.contains(next)) {
                chain.add(next);
                next = backups.get(next);
            }
            if (start.equals(next) && !inReportedLoop.contains(start)) {
                inReportedLoop.addAll(chain);
                chain.add(start);
                values.reject(backupNodes.get(start), "a backup that does not lead back to " + start + " ("
                        + String.join(" -> ", chain) + ")");
            }
        }
    }

    HealthCheckConfig healthCheck(YamlNode node) {
        YamlNode.Mapping m = values.section(node, HEALTH_CHECK_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode pathNode = values.required(m, "path", PROBE_PATH_EXPECTED);
        String path = pathNode == null ? null
                : values.string(pathNode, PROBE_PATH.asMatchPredicate(), PROBE_PATH_EXPECTED);
        Duration interval = values.optional(m, "interval", null,
                n -> values.duration(n, HealthCheckConfig.MIN_INTERVAL, HealthCheckConfig.MAX_INTERVAL));
        // A short interval alone lowers the default timeout below it, as a short total does for its parts.
        Duration defaultTimeout = interval == null || HealthCheckConfig.DEFAULT_TIMEOUT.compareTo(interval) < 0
                ? HealthCheckConfig.DEFAULT_TIMEOUT : interval.dividedBy(2);
        Duration timeout = values.optional(m, "timeout", null,
                n -> values.timeout(n, MIN_DURATION, HealthCheckConfig.MAX_INTERVAL));
        boolean intervalValid = interval != null || m.get("interval") == null;
        interval = interval == null ? HealthCheckConfig.DEFAULT_INTERVAL : interval;
        if (timeout != null && intervalValid && timeout.compareTo(interval) >= 0) {
            values.reject(m.get("timeout"), "less than the interval (" + Durations.format(interval)
                    + (m.get("interval") == null ? " by default" : "") + ")");
        }
        int healthy = values.optional(m, "healthy-threshold", HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD,
                n -> values.integer(n, 1, HealthCheckConfig.MAX_THRESHOLD, "a probe count"));
        int unhealthy = values.optional(m, "unhealthy-threshold", HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD,
                n -> values.integer(n, 1, HealthCheckConfig.MAX_THRESHOLD, "a probe count"));
        return path == null ? null : new HealthCheckConfig(path, interval, timeout == null ? defaultTimeout : timeout,
                healthy, unhealthy);
    }

    CircuitBreakerConfig circuitBreaker(YamlNode node) {
        YamlNode.Mapping m = values.section(node, CIRCUIT_BREAKER_KEYS);
        if (m == null) {
            return null;
        }
        CircuitBreakerConfig defaults = CircuitBreakerConfig.defaults();
        return new CircuitBreakerConfig(
                values.optional(m, "enabled", defaults.enabled(), values::bool),
                values.optional(m, "failure-rate", defaults.failureRateThreshold(), values::percentAboveZero),
                values.optional(m, "slow-call-rate", defaults.slowCallRateThreshold(), values::percentAboveZero),
                values.optional(m, "slow-call-duration", defaults.slowCallDuration(),
                        n -> values.duration(n, MIN_DURATION, CircuitBreakerConfig.MAX_SLOW_CALL_DURATION)),
                values.optional(m, "window", defaults.window(),
                        n -> values.duration(n, CircuitBreakerConfig.MIN_WINDOW, CircuitBreakerConfig.MAX_WINDOW)),
                values.optional(m, "minimum-calls", defaults.minimumCalls(),
                        n -> values.integer(n, 1, CircuitBreakerConfig.MAX_MINIMUM_CALLS, "a call count")),
                values.optional(m, "open-duration", defaults.openDuration(),
                        n -> values.duration(n, MIN_DURATION, CircuitBreakerConfig.MAX_OPEN_DURATION)),
                values.optional(m, "half-open-calls", defaults.halfOpenCalls(),
                        n -> values.integer(n, 1, CircuitBreakerConfig.MAX_HALF_OPEN_CALLS, "a call count")));
    }

    OutlierDetectionConfig outlierDetection(YamlNode node) {
        YamlNode.Mapping m = values.section(node, OUTLIER_DETECTION_KEYS);
        if (m == null) {
            return null;
        }
        OutlierDetectionConfig defaults = OutlierDetectionConfig.defaults();
        Range<Duration> ejection = range(m, "base-ejection", defaults.baseEjection(), "max-ejection",
                defaults.maxEjection(), n -> values.duration(n, MIN_DURATION, OutlierDetectionConfig.MAX_EJECTION),
                Durations::format);
        return new OutlierDetectionConfig(
                values.optional(m, "enabled", defaults.enabled(), values::bool),
                values.optional(m, "consecutive-failures", defaults.consecutiveFailures(),
                        n -> values.integer(n, 1, OutlierDetectionConfig.MAX_CONSECUTIVE_FAILURES, "a failure count")),
                ejection.low(),
                ejection.high(),
                values.optional(m, "max-ejected", defaults.maxEjectedRatio(), values::percentage));
    }

    RetryBudgetConfig retryBudget(YamlNode node) {
        YamlNode.Mapping m = values.section(node, RETRY_BUDGET_KEYS);
        if (m == null) {
            return null;
        }
        RetryBudgetConfig defaults = RetryBudgetConfig.defaults();
        return new RetryBudgetConfig(
                values.optional(m, "enabled", defaults.enabled(), values::bool),
                values.optional(m, "ratio", defaults.ratio(), values::percentage),
                values.optional(m, "min-retries-per-second", defaults.minRetriesPerSecond(),
                        n -> values.integer(n, 0, RetryBudgetConfig.MAX_MIN_RETRIES_PER_SECOND, "a retry count")),
                values.optional(m, "window", defaults.window(),
                        n -> values.duration(n, RetryBudgetConfig.MIN_WINDOW, RetryBudgetConfig.MAX_WINDOW)));
    }

    /** Of an upstream or a route: which keys are allowed depends on the kind, so the kind is read first. */
    ConcurrencyLimitConfig concurrencyLimit(YamlNode node) {
        YamlNode kindNode = node instanceof YamlNode.Mapping mapping ? mapping.get("kind") : null;
        ConcurrencyLimitConfig.Kind kind = kindNode == null ? null : values.choice(kindNode,
                ConcurrencyLimitConfig.Kind.values(), ConcurrencyLimitConfig.Kind::configName);
        YamlNode.Mapping m = values.section(node, kind == null ? CONCURRENCY_LIMIT_KEYS
                : kind.adaptive() ? ADAPTIVE_LIMIT_KEYS : FIXED_LIMIT_KEYS);
        if (m != null && kindNode == null) {
            values.required(m, "kind", LIMIT_KIND_EXPECTED);
        }
        if (m == null || kind == null) {
            return null;
        }
        if (!kind.adaptive()) {
            YamlNode limitNode = values.required(m, "limit", "a limit from 1 to " + ConcurrencyLimitConfig.MAX_LIMIT);
            Integer limit = limitNode == null ? null : limit(limitNode);
            return limit == null ? null : ConcurrencyLimitConfig.fixed(limit);
        }
        Range<Integer> bounds = range(m, "min", ConcurrencyLimitConfig.DEFAULT_MIN, "max",
                ConcurrencyLimitConfig.DEFAULT_MAX, this::limit, String::valueOf);
        Integer initial = values.optional(m, "initial", null, this::limit);
        if (initial != null && (initial < bounds.low() || initial > bounds.high())) {
            values.reject(m.get("initial"), "a limit from min to max (" + bounds.low() + " to " + bounds.high() + ")");
        }
        // Without an initial limit of its own, the default one is moved within min and max.
        int start = initial != null ? initial
                : Math.max(bounds.low(), Math.min(ConcurrencyLimitConfig.DEFAULT_INITIAL, bounds.high()));
        return new ConcurrencyLimitConfig(kind, start, bounds.low(), bounds.high());
    }

    private Integer limit(YamlNode node) {
        return values.integer(node, 1, ConcurrencyLimitConfig.MAX_LIMIT, "a limit");
    }

    // --- routes ------------------------------------------------------------------------------------------------

    /**
     * A route's retries; {@code off} turns them off.
     *
     * @param total the route's total timeout, or {@code null} when it was written wrong (nothing to check against)
     */
    RetryConfig retries(YamlNode node, TotalTimeout total) {
        if (node instanceof YamlNode.Scalar scalar && !scalar.isNull()) {
            if (scalar.text().equals("off")) {
                return RetryConfig.disabled();
            }
            values.reject(node, "off, or a mapping with keys " + String.join(", ", RETRY_KEYS));
            return null;
        }
        YamlNode.Mapping m = values.section(node, RETRY_KEYS);
        if (m == null) {
            return null;
        }
        RetryConfig defaults = RetryConfig.defaults();
        int attempts = values.optional(m, "attempts", defaults.attempts(),
                n -> values.integer(n, 1, RetryConfig.MAX_ATTEMPTS, "an attempt count (1 = no retry)"));
        List<String> retryOn = values.optional(m, "retry-on", null,
                n -> values.oneOrMany(n, item -> values.string(item, ResilienceBinder::isRetryOn, RETRY_ON_EXPECTED),
                        "one or a list of: " + RETRY_ON_EXPECTED));
        Set<RetryCondition> conditions = defaults.conditions();
        Set<Integer> statuses = defaults.statuses();
        if (retryOn != null) {
            conditions = EnumSet.noneOf(RetryCondition.class);
            statuses = new TreeSet<>();
            for (String item : retryOn) {
                if (STATUS.matcher(item).matches()) {
                    statuses.add(Integer.valueOf(item));
                } else {
                    conditions.add(retryCondition(item));
                }
            }
        }
        Duration perTryTimeout = values.optional(m, "per-try-timeout", null,
                n -> values.timeout(n, MIN_DURATION, TimeoutsConfig.MAX_TOTAL));
        if (perTryTimeout != null && total != null) {
            total.checkFits(values, m.get("per-try-timeout"), perTryTimeout);
        }
        Backoff backoff = values.optional(m, "backoff", new Backoff(defaults.backoffBase(), defaults.backoffCap(),
                defaults.jitter()), this::backoff);
        long maxBufferedBody = values.optional(m, "max-buffered-body", defaults.maxBufferedBody(),
                n -> values.size(n, 0, RetryConfig.MAX_MAX_BUFFERED_BODY));
        return new RetryConfig(attempts, conditions, statuses, perTryTimeout, backoff.base(), backoff.cap(),
                backoff.jitter(), maxBufferedBody);
    }

    private static boolean isRetryOn(String text) {
        if (STATUS.matcher(text).matches()) {
            int status = Integer.parseInt(text);
            return status == 429 || status >= 500 && status <= 599;
        }
        return retryCondition(text) != null;
    }

    private static RetryCondition retryCondition(String name) {
        for (RetryCondition condition : RetryCondition.values()) {
            if (condition.configName().equals(name)) {
                return condition;
            }
        }
        return null;
    }

    private record Backoff(Duration base, Duration cap, boolean jitter) {
    }

    private Backoff backoff(YamlNode node) {
        YamlNode.Mapping m = values.section(node, BACKOFF_KEYS);
        if (m == null) {
            return null;
        }
        Range<Duration> delays = range(m, "base", RetryConfig.DEFAULT_BACKOFF_BASE, "cap",
                RetryConfig.DEFAULT_BACKOFF_CAP, n -> values.duration(n, MIN_DURATION, RetryConfig.MAX_BACKOFF),
                Durations::format);
        return new Backoff(delays.low(), delays.high(), values.optional(m, "jitter", true, values::bool));
    }

    /**
     * A route's hedging: a fixed delay shorter than the total timeout (a longer one would never fire), or the
     * route's p95 with a floor.
     */
    HedgeConfig hedge(YamlNode node, TotalTimeout total) {
        YamlNode.Mapping m = values.section(node, HEDGE_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode delayNode = values.required(m, "delay", HEDGE_DELAY_EXPECTED);
        boolean p95 = delayNode instanceof YamlNode.Scalar scalar && scalar.text().equals("p95");
        Duration delay = delayNode == null || p95 ? null
                : values.duration(delayNode, MIN_DURATION, HedgeConfig.MAX_DELAY, HEDGE_DELAY_EXPECTED);
        if (delay != null && total != null && delay.compareTo(total.value()) >= 0) {
            values.reject(delayNode, "less than " + total.describe() + "; a later hedge is never sent");
        }
        Duration minDelay = values.optional(m, "min-delay", HedgeConfig.DEFAULT_MIN_DELAY,
                n -> values.duration(n, MIN_DURATION, HedgeConfig.MAX_DELAY));
        if (delay != null && m.get("min-delay") != null) {
            values.reject(m.get("min-delay"), "no min-delay with a fixed delay; it is the floor of delay: p95");
        }
        return delay == null && !p95 ? null : new HedgeConfig(delay, minDelay);
    }

    FallbackConfig fallback(YamlNode node) {
        YamlNode.Mapping m = values.section(node, FALLBACK_KEYS);
        if (m == null) {
            return null;
        }
        int status = values.optional(m, "status", FallbackConfig.DEFAULT_STATUS,
                n -> values.integer(n, 200, 599, "a status"));
        Map<String, String> headers = values.optional(m, "headers", Map.of(), n -> values.headers(n,
                FRAMING_HEADERS, HEADER_VALUE.asMatchPredicate(), "a header value without control characters"));
        String body = values.optional(m, "body", "", this::fallbackBody);
        if (!body.isEmpty() && (status == 204 || status == 304)) {
            values.reject(m.get("body"), "no body with status " + status);
        }
        return new FallbackConfig(status, headers, body);
    }

    private String fallbackBody(YamlNode node) {
        String expected = "a text of at most " + Sizes.format(FallbackConfig.MAX_BODY_SIZE) + " in UTF-8";
        if (node instanceof YamlNode.Scalar scalar && scalar.isNull()) {
            return "";
        }
        return values.string(node, text -> text.getBytes(StandardCharsets.UTF_8).length
                <= FallbackConfig.MAX_BODY_SIZE, expected);
    }

    /** A route's faults: at least one of a delay and an abort, optionally only for requests with a header. */
    FaultConfig fault(YamlNode node) {
        YamlNode.Mapping m = values.section(node, FAULT_KEYS);
        if (m == null) {
            return null;
        }
        FaultConfig.DelayFault delay = values.optional(m, "delay", null, this::delayFault);
        FaultConfig.AbortFault abort = values.optional(m, "abort", null, this::abortFault);
        String header = values.optional(m, "header", null, values::headerName);
        if (m.get("delay") == null && m.get("abort") == null) {
            values.reject(m, "a delay, an abort or both, e.g. { abort: { status: 503, percentage: 5% } }");
            return null;
        }
        return new FaultConfig(delay, abort, header);
    }

    private FaultConfig.DelayFault delayFault(YamlNode node) {
        YamlNode.Mapping m = values.section(node, DELAY_FAULT_KEYS);
        if (m == null) {
            return null;
        }
        Function<YamlNode, Duration> readDelay =
                n -> values.duration(n, Duration.ZERO, FaultConfig.DelayFault.MAX_DELAY);
        YamlNode fixedNode = m.get("duration");
        Duration min;
        Duration max;
        if (fixedNode != null) {
            for (String rangeKey : List.of("min", "max")) {
                if (m.get(rangeKey) != null) {
                    values.reject(m.get(rangeKey), "either duration or min and max, not both");
                }
            }
            min = max = readDelay.apply(fixedNode);
        } else if (m.get("min") != null || m.get("max") != null) {
            YamlNode minNode = values.required(m, "min", "the shortest delay, with max the longest");
            YamlNode maxNode = values.required(m, "max", "the longest delay, with min the shortest");
            min = minNode == null ? null : readDelay.apply(minNode);
            max = maxNode == null ? null : readDelay.apply(maxNode);
            if (min != null && max != null && min.compareTo(max) > 0) {
                values.reject(maxNode, "at least min (" + Durations.format(min) + ")");
            }
        } else {
            values.required(m, "duration", FAULT_DELAY_EXPECTED);
            min = max = null;
        }
        Double ratio = faultRatio(m);
        return min == null || max == null || ratio == null ? null : new FaultConfig.DelayFault(min, max, ratio);
    }

    private FaultConfig.AbortFault abortFault(YamlNode node) {
        YamlNode.Mapping m = values.section(node, ABORT_FAULT_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode statusNode = values.required(m, "status", ABORT_STATUS_EXPECTED);
        Integer status = null;
        if (statusNode instanceof YamlNode.Scalar scalar && scalar.text().equals("reset")) {
            status = FaultConfig.AbortFault.RESET;
        } else if (statusNode != null) {
            String text = values.string(statusNode, t -> STATUS.matcher(t).matches() && t.compareTo("200") >= 0
                    && t.compareTo("599") <= 0, ABORT_STATUS_EXPECTED);
            status = text == null ? null : Integer.valueOf(text);
        }
        Double ratio = faultRatio(m);
        return status == null || ratio == null ? null : new FaultConfig.AbortFault(status, ratio);
    }

    /** The share of eligible requests a fault hits: required, so that a fault never hits all traffic by omission. */
    private Double faultRatio(YamlNode.Mapping fault) {
        YamlNode node = values.required(fault, "percentage", ValueReader.PERCENTAGE_EXPECTED);
        return node == null ? null : values.percentage(node);
    }

    // --- shared ------------------------------------------------------------------------------------------------

    /** Two values where {@code low <= high}. */
    private record Range<T>(T low, T high) {
    }

    /**
     * Two optional values that must be in order, such as a backoff's base and cap. The default of an absent one
     * gives way to the other (a base of 1s alone raises the default cap to 1s), so only two written values can
     * conflict; the error is then at the high one.
     */
    private <T extends Comparable<T>> Range<T> range(YamlNode.Mapping m, String lowKey, T lowDefault, String highKey,
                                                     T highDefault, Function<YamlNode, T> read,
                                                     Function<T, String> format) {
        T low = values.optional(m, lowKey, null, read);
        T high = values.optional(m, highKey, null, read);
        if (low != null && high != null && low.compareTo(high) > 0) {
            values.reject(m.get(highKey), "at least " + lowKey + " (" + format.apply(low) + ")");
        }
        if (low == null) {
            low = high != null && high.compareTo(lowDefault) < 0 ? high : lowDefault;
        }
        if (high == null) {
            high = low.compareTo(highDefault) > 0 ? low : highDefault;
        }
        return new Range<>(low, high);
    }
}
