package dev.rampart.bench;

import static java.util.Objects.requireNonNull;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one open-loop run measured: counts over the measurement window (warm-up excluded) and
 * latency percentiles in microseconds.
 *
 * <p>{@code sent} counts requests whose intended send time fell in the window;
 * {@code completed} those of them that got a whole response (any status). Every sent request
 * ends as exactly one of: completed, a timeout, a connect error or another error
 * ({@code statusErrors} are completed responses whose status was not 2xx).
 *
 * @param target            the options the run was started with
 * @param sent              requests intended in the measurement window
 * @param completed         responses received for them, whatever the status
 * @param errors            failures by kind
 * @param achievedRate      {@code completed} per second of the window, or of the time from the
 *                          window's start to the last response if that is longer
 * @param latency           from each request's intended send time to the end of its response:
 *                          corrected for coordinated omission
 * @param serviceTime       from the moment the request got a connection to the end of its
 *                          response: what a closed-loop tool would report, for comparison
 * @param maxSendLagMicros  how late, at worst, the generator issued a request after its intended
 *                          time; large values mean the generator itself was saturated
 */
public record LoadReport(
    OpenLoopLoad.Options target,
    long sent,
    long completed,
    Errors errors,
    double achievedRate,
    Latency latency,
    Latency serviceTime,
    long maxSendLagMicros) {

  public LoadReport {
    requireNonNull(target, "target");
    requireNonNull(errors, "errors");
    requireNonNull(latency, "latency");
    requireNonNull(serviceTime, "serviceTime");
  }

  /** Failed requests by kind. */
  public record Errors(long timeout, long connect, long status, long other) {

    /** Requests that did not end in a 2xx response. */
    public long total() {
      return timeout + connect + status + other;
    }
  }

  /** Percentiles of a latency distribution, in microseconds; all zero when nothing was recorded. */
  public record Latency(long p50, long p90, long p99, long p999, long max, long count) {

    /** Reads the percentiles out of a histogram recorded in microseconds. */
    public static Latency of(Histogram micros) {
      requireNonNull(micros, "micros");
      if (micros.getTotalCount() == 0) {
        return new Latency(0, 0, 0, 0, 0, 0);
      }
      return new Latency(
          micros.getValueAtPercentile(50),
          micros.getValueAtPercentile(90),
          micros.getValueAtPercentile(99),
          micros.getValueAtPercentile(99.9),
          micros.getMaxValue(),
          micros.getTotalCount());
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("p50_us", p50).put("p90_us", p90).put("p99_us", p99)
          .put("p999_us", p999).put("max_us", max);
    }
  }

  /** The report as one JSON line (no trailing newline), for scripts. */
  public String toJsonLine() {
    return new JsonObject()
        .put("url", target.url().toString())
        .put("target_rate", target.ratePerSecond())
        .put("duration_s", seconds(target.duration()))
        .put("warmup_s", seconds(target.warmup()))
        .put("connections", target.connections())
        .put("sent", sent)
        .put("completed", completed)
        .put("errors", new JsonObject()
            .put("timeout", errors.timeout())
            .put("connect", errors.connect())
            .put("status", errors.status())
            .put("other", errors.other()))
        .put("achieved_rate", Math.round(achievedRate * 10) / 10.0)
        .put("latency", latency.toJson())
        .put("service_time", serviceTime.toJson())
        .put("max_send_lag_us", maxSendLagMicros)
        .encode();
  }

  /** The report as a small table for people. */
  public String toTable() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s  target %d req/s for %ss (warm-up %ss), %d connections%n",
        target.url(), target.ratePerSecond(), seconds(target.duration()), seconds(target.warmup()),
        target.connections()));
    out.append(String.format(Locale.ROOT, "  sent %d  completed %d  achieved %.1f req/s%n",
        sent, completed, achievedRate));
    out.append(String.format(Locale.ROOT, "  errors: timeout %d  connect %d  status %d  other %d%n",
        errors.timeout(), errors.connect(), errors.status(), errors.other()));
    out.append(String.format(Locale.ROOT, "  %-34s %10s %10s %10s %10s %10s%n",
        "latency (µs)", "p50", "p90", "p99", "p99.9", "max"));
    appendRow(out, "corrected (from intended send)", latency);
    appendRow(out, "service time (uncorrected)", serviceTime);
    out.append(String.format(Locale.ROOT, "  max send lag %d µs%n", maxSendLagMicros));
    return out.toString();
  }

  private static void appendRow(StringBuilder out, String name, Latency l) {
    out.append(String.format(Locale.ROOT, "  %-34s %10d %10d %10d %10d %10d%n",
        name, l.p50(), l.p90(), l.p99(), l.p999(), l.max()));
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
