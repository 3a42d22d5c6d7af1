package dev.rampart.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command line for {@link OpenLoopLoad}: runs one open-loop load and prints its report.
 * Uses a single event loop; pin the process from outside ({@code taskset}).
 */
public final class LoadMain {

  private static final String USAGE = """
      usage: LoadMain --url http://127.0.0.1:8080/ --rate N [options]
        --url URL            target (http only)
        --rate N             requests per second (constant, open loop)
        --duration D         measurement window, e.g. 10s, 500ms, 1m   (default 10s)
        --warmup D           unmeasured ramp from 0 to the rate       (default 2s)
        --connections N      connection pool size                     (default 32)
        --method M           HTTP method                              (default GET)
        --body-size BYTES    request body size                        (default 0)
        --timeout D          per-request timeout                      (default 5s)
        --header 'Name: v'   extra header, repeatable
        --json               print one JSON line instead of a table
      """;
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

  private LoadMain() {
  }

  public static void main(String[] args) {
    Parsed parsed;
    try {
      parsed = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    if (parsed == null) {
      System.out.print(USAGE);
      return;
    }
    System.exit(run(parsed, System.out, System.err));
  }

  private static int run(Parsed parsed, PrintStream out, PrintStream err) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    OpenLoopLoad.Options o = parsed.options();
    long boundSeconds = o.warmup().toSeconds() + o.duration().toSeconds()
        + o.requestTimeout().toSeconds() + 30;
    try {
      LoadReport report = OpenLoopLoad.run(vertx, o)
          .toCompletionStage().toCompletableFuture().get(boundSeconds, TimeUnit.SECONDS);
      out.println(parsed.json() ? report.toJsonLine() : report.toTable());
      return 0;
    } catch (Exception e) {
      err.println("error: load run failed: " + e);
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS)
          .exceptionally(t -> null).join();
    }
  }

  record Parsed(OpenLoopLoad.Options options, boolean json) {
  }

  /** Parses the arguments; {@code null} means help was asked for. */
  static Parsed parse(String[] args) {
    URI url = null;
    Integer rate = null;
    boolean json = false;
    Duration duration = OpenLoopLoad.Options.DEFAULT_DURATION;
    Duration warmup = OpenLoopLoad.Options.DEFAULT_WARMUP;
    Duration timeout = OpenLoopLoad.Options.DEFAULT_REQUEST_TIMEOUT;
    int connections = OpenLoopLoad.Options.DEFAULT_CONNECTIONS;
    int bodyBytes = 0;
    HttpMethod method = HttpMethod.GET;
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "-h", "--help" -> {
          return null;
        }
        case "--json" -> json = true;
        case "--url" -> url = URI.create(value(args, ++i, flag));
        case "--rate" -> rate = integer(value(args, ++i, flag), flag);
        case "--duration" -> duration = duration(value(args, ++i, flag), flag);
        case "--warmup" -> warmup = duration(value(args, ++i, flag), flag);
        case "--timeout" -> timeout = duration(value(args, ++i, flag), flag);
        case "--connections" -> connections = integer(value(args, ++i, flag), flag);
        case "--body-size" -> bodyBytes = integer(value(args, ++i, flag), flag);
        case "--method" -> method = HttpMethod.valueOf(value(args, ++i, flag).toUpperCase(Locale.ROOT));
        case "--header" -> {
          String h = value(args, ++i, flag);
          int colon = h.indexOf(':');
          if (colon <= 0) {
            throw new IllegalArgumentException("--header: " + h + " (expected: 'Name: value')");
          }
          headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        default -> throw new IllegalArgumentException("unknown option: " + flag);
      }
    }
    if (url == null || rate == null) {
      throw new IllegalArgumentException("--url and --rate are required");
    }
    OpenLoopLoad.Options.Builder b = OpenLoopLoad.Options.builder(url, rate)
        .duration(duration).warmup(warmup).requestTimeout(timeout)
        .connections(connections).bodyBytes(bodyBytes).method(method);
    headers.forEach(b::header);
    return new Parsed(b.build(), json);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + ": missing value");
    }
    return args[i];
  }

  private static int integer(String s, String flag) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + s + " (expected: an integer)");
    }
  }

  /** {@code 250ms}, {@code 10s}, {@code 2m}; a bare number is seconds. */
  static Duration duration(String s, String flag) {
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(flag + ": " + s + " (expected: e.g. 500ms, 10s, 2m)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
