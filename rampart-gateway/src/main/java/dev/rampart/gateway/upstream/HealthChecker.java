package dev.rampart.gateway.upstream;

import dev.rampart.core.config.HealthCheckConfig;
import dev.rampart.core.resilience.HealthState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Active health checks for one upstream: every interval, a GET of the configured path on each endpoint, bounded by
 * the check timeout. A 2xx or 3xx answer passes; anything else, including no answer in time, fails. Thresholds turn
 * results into a healthy/unhealthy state; unhealthy endpoints get no traffic. Runs on an event loop, never blocks,
 * and uses its own small client so checks neither wait behind nor take connections from the traffic pools.
 */
final class HealthChecker {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final Vertx vertx;
    private final String upstream;
    private final HealthCheckConfig config;
    private final List<EndpointState> endpoints;
    private final HealthState[] states;
    private final boolean[] checking;
    private final IntConsumer passed;
    private final HttpClient client;
    private long timer = -1;
    private volatile boolean stopped;

    /** @param passed told the index of an endpoint whose check just passed (to end an outlier ejection early) */
    HealthChecker(Vertx vertx, String upstream, HealthCheckConfig config, List<EndpointState> endpoints,
                  boolean tlsVerify, IntConsumer passed) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.config = config;
        this.endpoints = endpoints;
        this.passed = passed;
        this.states = new HealthState[endpoints.size()];
        this.checking = new boolean[endpoints.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = new HealthState(config.healthyThreshold(), config.unhealthyThreshold());
        }
        int timeoutMillis = (int) Math.max(1, config.timeout().toMillis());
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(timeoutMillis)
                        .setIdleTimeout(0).setMaxHeaderSize(16 * 1024).setTrustAll(!tlsVerify).setVerifyHost(tlsVerify))
                .with(new PoolOptions().setHttp1MaxSize(1).setMaxWaitQueueSize(1))
                .build();
    }

    void start() {
        checkAll();
        timer = vertx.setPeriodic(config.interval().toMillis(), id -> checkAll());
    }

    void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        client.close();
    }

    private void checkAll() {
        if (stopped) {
            return;
        }
        for (EndpointState endpoint : endpoints) {
            check(endpoint);
        }
    }

    private void check(EndpointState endpoint) {
        int i = endpoint.index();
        if (checking[i]) {
            return; // the previous check is still within its timeout
        }
        checking[i] = true;
        long timeoutMillis = Math.max(1, config.timeout().toMillis());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(endpoint.endpoint().host())
                .setPort(endpoint.endpoint().port())
                .setSsl(endpoint.endpoint().tls())
                .setURI(config.path())
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis)
                .putHeader("host", endpoint.endpoint().authority())
                .putHeader("user-agent", "rampart-health-check");
        long start = System.nanoTime();
        client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> response.statusCode()))
                .onComplete(ar -> {
                    checking[i] = false;
                    if (stopped) {
                        return;
                    }
                    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                    boolean pass = ar.succeeded() && ar.result() >= 200 && ar.result() < 400
                            && elapsedMillis <= timeoutMillis;
                    String detail = ar.failed() ? String.valueOf(ar.cause().getMessage())
                            : elapsedMillis > timeoutMillis ? "status " + ar.result() + " after " + elapsedMillis
                            + " ms, over the " + timeoutMillis + " ms timeout" : "status " + ar.result();
                    record(endpoint, pass, detail);
                });
    }

    private void record(EndpointState endpoint, boolean pass, String detail) {
        HealthState state = states[endpoint.index()];
        boolean changed = pass ? state.recordPass() : state.recordFail();
        if (pass) {
            passed.accept(endpoint.index());
        }
        if (changed) {
            endpoint.healthy(state.healthy());
            var event = state.healthy() ? log.atInfo() : log.atWarn();
            event.addKeyValue("upstream", upstream).addKeyValue("endpoint", endpoint.label())
                    .addKeyValue("check", config.path()).addKeyValue("last_result", detail)
                    .log(state.healthy() ? "endpoint healthy" : "endpoint unhealthy");
        }
    }
}
