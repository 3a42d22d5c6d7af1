package dev.rampart.bench;

import static java.util.Objects.requireNonNull;

import dev.rampart.bench.internal.SendSchedule;
import dev.rampart.bench.internal.FailureKind;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An open-loop HTTP/1.1 load generator: sends requests at a constant rate on a fixed schedule,
 * whatever the server does, and measures each request's latency from its <em>intended</em> send
 * time, so that a stalled server is not let off by the generator waiting for it (coordinated
 * omission, as in wrk2).
 *
 * <p>The warm-up ramps the rate up linearly from 0; the measured window then holds it. A
 * periodic 1 ms timer sends every request whose intended time has passed. Requests go
 * through a pool of {@link Options#connections()} keep-alive connections without pipelining;
 * when all are busy, requests wait in the generator's queue, and that wait counts as latency.
 * The queue is a range of schedule indices, so a long stall of the server costs the generator
 * no memory (a queue of request objects would fill its heap, and its GC pauses would then
 * delay the generator itself).
 */
public final class OpenLoopLoad {

  private static final long TICK_MILLIS = 1;
  /** How long past the request timeout the run waits for stragglers before it reports. */
  private static final long DRAIN_GRACE_MILLIS = 1_000;

  private OpenLoopLoad() {
  }

  /**
   * What to send, how fast and for how long.
   *
   * @param url            target, {@code http://host:port/path}
   * @param ratePerSecond  constant request rate
   * @param duration       length of the measurement window
   * @param warmup         a ramp from 0 to the rate before the window, not counted (it lets the
   *                       generator's JIT warm up before full rate)
   * @param connections    size of the connection pool
   * @param method         HTTP method
   * @param bodyBytes      size of the request body ({@code 0}: none)
   * @param requestTimeout per request, from its intended send time: a request with no whole response
   *                       by then counts as a timeout and is abandoned
   * @param headers        extra request headers
   */
  public record Options(
      URI url,
      int ratePerSecond,
      Duration duration,
      Duration warmup,
      int connections,
      HttpMethod method,
      int bodyBytes,
      Duration requestTimeout,
      Map<String, String> headers) {

    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);
    public static final int DEFAULT_CONNECTIONS = 32;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_RATE = 1_000_000;
    static final int MAX_CONNECTIONS = 10_000;
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
    static final Duration MAX_DURATION = Duration.ofHours(1);

    public Options {
      requireNonNull(url, "url");
      requireNonNull(duration, "duration");
      requireNonNull(warmup, "warmup");
      requireNonNull(method, "method");
      requireNonNull(requestTimeout, "requestTimeout");
      requireNonNull(headers, "headers");
      if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("url: " + url + " (expected: http://host[:port][/path])");
      }
      if (ratePerSecond < 1 || ratePerSecond > MAX_RATE) {
        throw new IllegalArgumentException(
            "ratePerSecond: " + ratePerSecond + " (expected: 1.." + MAX_RATE + ")");
      }
      if (duration.toMillis() < 1 || duration.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: 1ms.." + MAX_DURATION + ")");
      }
      if (warmup.isNegative() || warmup.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException("warmup: " + warmup + " (expected: 0.." + MAX_DURATION + ")");
      }
      if (connections < 1 || connections > MAX_CONNECTIONS) {
        throw new IllegalArgumentException(
            "connections: " + connections + " (expected: 1.." + MAX_CONNECTIONS + ")");
      }
      if (bodyBytes < 0 || bodyBytes > MAX_BODY_BYTES) {
        throw new IllegalArgumentException(
            "bodyBytes: " + bodyBytes + " (expected: 0.." + MAX_BODY_BYTES + ")");
      }
      if (requestTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: >= 1ms)");
      }
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Starts options for {@code url} at {@code ratePerSecond}, with safe defaults for the rest. */
    public static Builder builder(URI url, int ratePerSecond) {
      return new Builder(url, ratePerSecond);
    }

    /** Builds {@link Options}; validation happens in {@link #build()}. */
    public static final class Builder {
      private final URI url;
      private final int ratePerSecond;
      private Duration duration = DEFAULT_DURATION;
      private Duration warmup = DEFAULT_WARMUP;
      private int connections = DEFAULT_CONNECTIONS;
      private HttpMethod method = HttpMethod.GET;
      private int bodyBytes;
      private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
      private final Map<String, String> headers = new LinkedHashMap<>();

      private Builder(URI url, int ratePerSecond) {
        this.url = requireNonNull(url, "url");
        this.ratePerSecond = ratePerSecond;
      }

      public Builder duration(Duration duration) {
        this.duration = requireNonNull(duration, "duration");
        return this;
      }

      public Builder warmup(Duration warmup) {
        this.warmup = requireNonNull(warmup, "warmup");
        return this;
      }

      public Builder connections(int connections) {
        this.connections = connections;
        return this;
      }

      public Builder method(HttpMethod method) {
        this.method = requireNonNull(method, "method");
        return this;
      }

      public Builder bodyBytes(int bodyBytes) {
        this.bodyBytes = bodyBytes;
        return this;
      }

      public Builder requestTimeout(Duration requestTimeout) {
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
        return this;
      }

      public Builder header(String name, String value) {
        headers.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
        return this;
      }

      public Options build() {
        return new Options(url, ratePerSecond, duration, warmup, connections, method, bodyBytes,
            requestTimeout, headers);
      }
    }
  }

  /**
   * Runs the load on one event-loop context of {@code vertx} (the caller's, or a new one) and
   * completes with the report once every request has ended or timed out. The HTTP client it
   * creates is closed before the future completes.
   */
  public static Future<LoadReport> run(Vertx vertx, Options options) {
    requireNonNull(vertx, "vertx");
    requireNonNull(options, "options");
    Promise<LoadReport> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> new Run(vertx, options, result).start());
    return result.future();
  }

  /** One run's state; touched only on its event loop. */
  private static final class Run {
    private final Vertx vertx;
    private final Options options;
    private final Promise<LoadReport> result;
    private final HttpClientAgent client;
    private final RequestOptions request;
    private final Buffer body;
    private final long timeoutNanos;
    /** Requests on a connection, in send order, which is intended order: the oldest times out first. */
    private final ArrayDeque<Exchange> onConnection = new ArrayDeque<>();

    private SendSchedule schedule;
    private LoadRecorder recorder;
    /**
     * The queue of requests that are due but wait for a free connection is the index range
     * {@code [nextToSend, schedule.nextIndex())}: requests leave it in order, so it needs no storage
     * and costs nothing however long it grows.
     */
    private long nextToSend;
    private int active;
    private long tickTimer = -1;
    private long drainTimer = -1;
    private boolean finished;

    Run(Vertx vertx, Options options, Promise<LoadReport> result) {
      this.vertx = vertx;
      this.options = options;
      this.result = result;
      this.timeoutNanos = options.requestTimeout().toNanos();
      int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, options.requestTimeout().toMillis());
      this.client = vertx.createHttpClient(
          new HttpClientOptions()
              .setKeepAlive(true)
              .setPipelining(false)
              .setConnectTimeout(timeoutMillis),
          new PoolOptions()
              .setHttp1MaxSize(options.connections())
              .setMaxWaitQueueSize(-1));
      // No per-request timeout here: the tick enforces it from each request's intended send
      // time, which is both what the report means and cheaper than a timer per request.
      this.request = new RequestOptions()
          .setAbsoluteURI(options.url().toString())
          .setMethod(options.method());
      options.headers().forEach(request::putHeader);
      if (options.bodyBytes() > 0) {
        byte[] bytes = new byte[options.bodyBytes()];
        Arrays.fill(bytes, (byte) 'x');
        this.body = Buffer.buffer(bytes);
      } else {
        this.body = null;
      }
    }

    void start() {
      long start = System.nanoTime();
      long warmupNanos = options.warmup().toNanos();
      long durationNanos = options.duration().toNanos();
      schedule = new SendSchedule(start, options.ratePerSecond(), warmupNanos, durationNanos);
      recorder = new LoadRecorder(start + warmupNanos, durationNanos);
      tickTimer = vertx.setPeriodic(TICK_MILLIS, TICK_MILLIS, id -> tick());
      tick();
    }

    private void tick() {
      if (finished) {
        return;
      }
      try {
        long now = System.nanoTime();
        while (schedule.isDue(now)) {
          boolean measured = schedule.isMeasured(schedule.nextIndex());
          recorder.onDue(measured, schedule.take(), now);
        }
        expire(now);
        sendQueued();
        if (schedule.isExhausted() && drainTimer == -1) {
          drainTimer = vertx.setTimer(options.requestTimeout().toMillis() + DRAIN_GRACE_MILLIS,
              id -> finish());
        }
        finishIfDrained();
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    /** Times out every request whose intended time is more than the timeout ago. */
    private void expire(long nowNanos) {
      // still queued: they never reach the wire
      while (nextToSend < schedule.nextIndex()
          && nowNanos - schedule.intendedNanos(nextToSend) >= timeoutNanos) {
        recorder.onFailure(schedule.isMeasured(nextToSend), FailureKind.TIMEOUT);
        nextToSend++;
      }
      Exchange head;
      while ((head = onConnection.peekFirst()) != null) {
        if (head.ended) {
          onConnection.pollFirst();
        } else if (nowNanos - head.intendedNanos >= timeoutNanos) {
          onConnection.pollFirst();
          head.timeOut();
        } else {
          return;
        }
      }
    }

    /** Sends queued requests, oldest first, while a connection is free. */
    private void sendQueued() {
      while (active < options.connections() && nextToSend < schedule.nextIndex()) {
        long index = nextToSend++;
        Exchange exchange = new Exchange(schedule.intendedNanos(index), schedule.isMeasured(index));
        active++;
        onConnection.addLast(exchange);
        client.request(request).onComplete(exchange::onRequest);
      }
    }

    private void finishIfDrained() {
      if (schedule.isExhausted() && nextToSend == schedule.nextIndex() && active == 0) {
        finish();
      }
    }

    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      vertx.cancelTimer(tickTimer);
      vertx.cancelTimer(drainTimer);
      LoadReport report = recorder.report(options);
      client.close().onComplete(ar -> result.complete(report));
    }

    private void fail(Throwable cause) {
      if (finished) {
        return;
      }
      finished = true;
      vertx.cancelTimer(tickTimer);
      vertx.cancelTimer(drainTimer);
      client.close().onComplete(ar -> result.fail(cause));
    }

    /** One request on a connection: when it was meant to go, when it got the connection, how it ended. */
    private final class Exchange {
      final long intendedNanos;
      final boolean measured;
      long connectedNanos;
      HttpClientRequest request;
      int status;
      boolean ended;

      Exchange(long intendedNanos, boolean measured) {
        this.intendedNanos = intendedNanos;
        this.measured = measured;
      }

      void onRequest(AsyncResult<HttpClientRequest> ar) {
        if (ar.failed()) {
          end(FailureKind.of(ar.cause()));
          return;
        }
        HttpClientRequest req = ar.result();
        // the timeout is already counted when it ends the exchange: nothing more to log
        req.exceptionHandler(ignored -> { });
        if (ended) {
          // timed out while the connection was being opened: give it back unused (a reset
          // before anything was written recycles the connection)
          req.reset();
          return;
        }
        request = req;
        connectedNanos = System.nanoTime();
        (body == null ? req.send() : req.send(body)).onComplete(this::onResponse);
      }

      void onResponse(AsyncResult<HttpClientResponse> ar) {
        if (ar.failed()) {
          end(FailureKind.of(ar.cause()));
          return;
        }
        status = ar.result().statusCode();
        ar.result().end().onComplete(this::onBodyEnd);
      }

      void onBodyEnd(AsyncResult<Void> ar) {
        if (ar.failed()) {
          end(FailureKind.of(ar.cause()));
          return;
        }
        if (ended || finished) {
          return;
        }
        ended = true;
        recorder.onResponse(measured, intendedNanos, connectedNanos, System.nanoTime(), status);
        release();
      }

      /** No whole response within the timeout: count it, and free the connection for the next one. */
      void timeOut() {
        if (ended || finished) {
          return;
        }
        end(FailureKind.TIMEOUT);
        if (request != null) {
          // closes the connection (HTTP/1.1 cannot cancel a request otherwise); the pool opens
          // another. Only requests already on a connection get here, at most one per connection.
          request.reset();
        }
      }

      /** Ends the exchange without a response; only the first ending counts. */
      void end(FailureKind kind) {
        if (ended || finished) {
          return;
        }
        ended = true;
        recorder.onFailure(measured, kind);
        release();
      }

      private void release() {
        active--;
        sendQueued();
        finishIfDrained();
      }
    }
  }
}
