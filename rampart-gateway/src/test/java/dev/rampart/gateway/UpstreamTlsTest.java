package dev.rampart.gateway;

import dev.rampart.core.config.ConfigLoader;
import dev.rampart.core.config.ConfigResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** An https upstream is verified by default: a certificate nobody vouches for is refused, unless verify is off. */
@Timeout(60)
class UpstreamTlsTest {
    @TempDir
    static Path dir;
    static Vertx vertx;
    static HttpServer upstream;
    static Gateway gateway;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("upstream.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "secret",
                "-keypass", "secret", "-alias", "upstream", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();

        vertx = Vertx.vertx();
        upstream = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(new PfxOptions().setPath(keystore.toString()).setPassword("secret")))
                .requestHandler(req -> req.response().end("secure hello"))
                .listen(0, "127.0.0.1").await();
        int port = upstream.actualPort();
        ConfigResult config = ConfigLoader.parse("""
                listen: { host: 127.0.0.1, port: 0 }
                admin: { port: 0 }
                access-log: { enabled: false }
                upstreams:
                  verified: { endpoints: [ "https://127.0.0.1:%1$d" ] }
                  unverified: { endpoints: [ "https://127.0.0.1:%1$d" ], tls: { verify: false } }
                routes:
                  - { id: verified, match: { prefix: /verified }, upstream: verified }
                  - { id: unverified, match: { prefix: /unverified }, upstream: unverified }
                """.formatted(port), "tls.yaml");
        assertThat(config.errors()).isEmpty();
        gateway = Gateway.start(config.config(), 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUpstreamCertificateNoTrustedAuthoritySignedIsRefusedWith502() throws Exception {
        HttpResponse<String> response = get("/verified");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"code\":\"upstream_unavailable\"").doesNotContain("Exception");
    }

    @Test
    void withVerificationOffTheSameUpstreamIsReachedOverTls() throws Exception {
        HttpResponse<String> response = get("/unverified");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("secure hello");
    }
}
