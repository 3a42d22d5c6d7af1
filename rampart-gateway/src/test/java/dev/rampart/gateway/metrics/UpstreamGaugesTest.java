package dev.rampart.gateway.metrics;

import dev.rampart.core.config.CircuitBreakerConfig;
import dev.rampart.core.config.Endpoint;
import dev.rampart.core.config.LoadBalancing;
import dev.rampart.core.config.OutlierDetectionConfig;
import dev.rampart.core.config.PoolConfig;
import dev.rampart.core.config.RetryBudgetConfig;
import dev.rampart.core.config.UpstreamConfig;
import dev.rampart.gateway.upstream.EndpointState;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Per-endpoint gauges: requests in flight from the cluster, and the connection pool's use as the exchanges count it. */
@Timeout(30)
class UpstreamGaugesTest {
    private final GatewayMetrics metrics = new GatewayMetrics("pool-test");
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final Queue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    private final int port = vertx.createHttpServer().requestHandler(held::add).listen(0, "127.0.0.1").await()
            .actualPort();
    private final String endpointLabel = "http://127.0.0.1:" + port;

    @AfterEach
    void close() {
        metrics.close();
        vertx.close().await();
    }

    @Test
    void poolGaugesShowOpenBusyAndWaitingConnections() {
        UpstreamCluster cluster = cluster("backend", 1);
        metrics.bindUpstream(cluster);
        EndpointState endpoint = cluster.endpoints().get(0);

        Future<String> first = send(cluster, endpoint);
        Future<String> second = send(cluster, endpoint);
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);

        // one connection (the pool's maximum) carries the first request; the second waits for it
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Exposition scrape = scrape();
            assertThat(gauge(scrape, "rampart_upstream_requests_in_flight")).isEqualTo(2);
            assertThat(gauge(scrape, "rampart_upstream_pool_open_connections")).isEqualTo(1);
            assertThat(gauge(scrape, "rampart_upstream_pool_busy_connections")).isEqualTo(1);
            assertThat(gauge(scrape, "rampart_upstream_pool_waiting_requests")).isEqualTo(1);
            assertThat(gauge(scrape, "rampart_upstream_pool_max_connections")).isEqualTo(1);
        });

        held.poll().response().end("one");
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
        held.poll().response().end("two");
        assertThat(first.await()).isEqualTo("one");
        assertThat(second.await()).isEqualTo("two");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Exposition scrape = scrape();
            assertThat(gauge(scrape, "rampart_upstream_requests_in_flight")).isZero();
            assertThat(gauge(scrape, "rampart_upstream_pool_open_connections")).isEqualTo(1); // kept alive
            assertThat(gauge(scrape, "rampart_upstream_pool_busy_connections")).isZero();
            assertThat(gauge(scrape, "rampart_upstream_pool_waiting_requests")).isZero();
        });
    }

    @Test
    void aClosedConnectionLeavesThePool() {
        UpstreamCluster cluster = cluster("backend", 4);
        metrics.bindUpstream(cluster);
        EndpointState endpoint = cluster.endpoints().get(0);

        Future<String> answer = send(cluster, endpoint);
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
        held.poll().connection().close();

        assertThat(answer.transform(ar -> Future.succeededFuture(ar.failed())).await()).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Exposition scrape = scrape();
            assertThat(gauge(scrape, "rampart_upstream_pool_open_connections")).isZero();
            assertThat(gauge(scrape, "rampart_upstream_pool_busy_connections")).isZero();
        });
    }

    @Test
    void anUpstreamKeptAcrossAReloadIsSummedUntilTheRetiredClusterIsUnbound() {
        UpstreamCluster retired = cluster("backend", 4);
        UpstreamCluster current = cluster("backend", 4);
        metrics.bindUpstream(retired);
        metrics.bindUpstream(current);
        metrics.bindUpstream(current); // idempotent
        retired.endpoints().get(0).requestStarted();
        current.endpoints().get(0).requestStarted();
        current.endpoints().get(0).requestStarted();

        assertThat(gauge(scrape(), "rampart_upstream_requests_in_flight")).isEqualTo(3);
        assertThat(gauge(scrape(), "rampart_upstream_pool_max_connections")).isEqualTo(8); // both pools may fill

        metrics.unbindUpstream(retired);
        assertThat(gauge(scrape(), "rampart_upstream_requests_in_flight")).isEqualTo(2);

        metrics.unbindUpstream(current);
        assertThat(scrape().has("rampart_upstream_requests_in_flight")).isFalse();
        assertThat(scrape().has("rampart_upstream_pool_open_connections")).isFalse();
    }

    private Exposition scrape() {
        return Exposition.parse(metrics.scrape());
    }

    private double gauge(Exposition scrape, String name) {
        return scrape.value(name, "upstream", "backend", "endpoint", endpointLabel);
    }

    private UpstreamCluster cluster(String name, int maxConnections) {
        return new UpstreamCluster(vertx, config(name, maxConnections), 1000);
    }

    private UpstreamConfig config(String name, int maxConnections) {
        return new UpstreamConfig(name, List.of(new Endpoint(false, "127.0.0.1", port)), LoadBalancing.ROUND_ROBIN,
                new PoolConfig(maxConnections, 10, Duration.ofSeconds(60)), true, null, null,
                CircuitBreakerConfig.defaults(), OutlierDetectionConfig.defaults(), RetryBudgetConfig.defaults(), null);
    }

    /**
     * What the exchange does: count the request on its endpoint, send it through the cluster's client, count the
     * connection it gets as leased until the answer is in, then the request as finished.
     */
    private static Future<String> send(UpstreamCluster cluster, EndpointState endpoint) {
        endpoint.requestStarted();
        boolean[] leased = {false};
        return cluster.client()
                .request(new RequestOptions().setHost(endpoint.endpoint().host()).setPort(endpoint.endpoint().port())
                        .setURI("/"))
                .compose(request -> {
                    endpoint.leased(request.connection());
                    leased[0] = true;
                    return request.send();
                })
                .compose(HttpClientResponse::body)
                .map(Buffer::toString)
                .andThen(ar -> {
                    if (leased[0]) {
                        endpoint.released();
                    }
                    endpoint.requestFinished();
                });
    }
}
