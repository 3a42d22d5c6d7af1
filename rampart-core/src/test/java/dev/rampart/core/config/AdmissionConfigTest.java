package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.valid;
import static dev.rampart.core.config.TestConfigs.withRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Client admission: state, identity, clients and a route's admission keys; their defaults and every key. */
class AdmissionConfigTest {

    static final String HASH_1 = "1f".repeat(32);
    static final String HASH_2 = "2e".repeat(32);
    static final String HASH_3 = "3d".repeat(32);
    static final String SECRET = "s3cret-s3cret-s3cret-s3cret-0123"; // 32 bytes
    static final String JWKS = """
            { "keys": [ { "kty": "EC", "crv": "P-256", "kid": "k1",
                          "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                          "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" } ] }
            """;

    private static final String FULL = """
            state:
              redis: { url: "rediss://:hunter2@redis.internal:6380/2", timeout: 50ms, instances: 3, key-prefix: "edge:" }
            identity:
              api-key-header: X-Client-Key
              hide-api-key: true
              trusted-proxies: [ 10.0.0.0/8, "2001:db8::/32", 192.168.1.1 ]
              jwt: { header: X-Token, hmac-secret-env: JWT_SECRET, issuer: https://auth.example, audience: checkout }
            clients:
              - name: mobile-app
                api-keys: [ "sha256:%s", "%s" ]
                routes: [ price ]
                rate-limits:
                  - { key: client, rate: 100/m }
                  - { name: per-user, key: jwt:sub, rate: 10/s, burst: 20, unidentified: { rate: 1/s } }
                max-concurrent: 8
              - name: partner
                api-keys: "%s"
            upstreams:
              pricing:
                endpoints: [ "http://127.0.0.1:7001" ]
            routes:
              - id: price
                upstream: pricing
                require-client: true
                rate-limits:
                  - { name: per-client, key: client, rate: 5/s, burst: 10, unidentified: { rate: 1/s, burst: 2 } }
                  - { key: ip, rate: 1000/minute }
                  - { key: route, rate: 10000/h }
                  - { key: header:X-Tenant, rate: 50/d, unidentified: { burst: 5 } }
                max-concurrent-per-client: 5
                rate-limit-headers: true
                on-redis-failure: closed
              - id: stock
                upstream: pricing
            """.formatted(HASH_1, HASH_2.toUpperCase(), HASH_3);

    private static RampartConfig full() {
        return valid(FULL, Path.of(""), Map.of("JWT_SECRET", SECRET));
    }

    @Test
    void withoutAdmissionKeysNothingIsLimited() {
        RampartConfig config = valid(MINIMAL);

        assertThat(config.state()).isEqualTo(StateConfig.none());
        assertThat(config.identity()).isEqualTo(IdentityConfig.defaults());
        assertThat(config.identity()).isEqualTo(new IdentityConfig("x-api-key", false, List.of(), null));
        assertThat(config.clients()).isEmpty();
        assertThat(config.routes().get(0).admission()).isEqualTo(AdmissionConfig.none());
        assertThat(AdmissionConfig.none()).isEqualTo(
                new AdmissionConfig(false, List.of(), 0, false, RedisFailureMode.LOCAL));
    }

    @Test
    void emptySectionsMeanDefaults() {
        RampartConfig config = valid(TestConfigs.withRoot("state:\nidentity:\nclients:\n"));

        assertThat(config.state()).isEqualTo(StateConfig.none());
        assertThat(config.identity()).isEqualTo(IdentityConfig.defaults());
        assertThat(config.clients()).isEmpty();
    }

    @Test
    void everyStateKeyIsBound() {
        assertThat(full().state().redis()).isEqualTo(new RedisStateConfig(
                URI.create("rediss://:hunter2@redis.internal:6380/2"), Duration.ofMillis(50), 3, "edge:"));
        assertThat(full().state().redis().tls()).isTrue();
    }

    @Test
    void redisDefaults() {
        RampartConfig config = valid(TestConfigs.withRoot("state: { redis: { url: \"redis://127.0.0.1\" } }"));

        assertThat(config.state().redis()).isEqualTo(new RedisStateConfig(URI.create("redis://127.0.0.1"),
                Duration.ofMillis(20), 1, "rampart:"));
        assertThat(config.state().redis().tls()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://r", "redis://r:6379", "redis://r:6379/", "redis://r:6379/15", "REDIS://r",
            "rediss://user:pass@r:6380/0", "redis://[::1]:6379", "redis://:p%40ss@r"})
    void redisUrlsThatAreAccepted(String url) {
        assertThat(valid(TestConfigs.withRoot("state: { redis: { url: \"" + url + "\" } }")).state().redis().url())
                .isEqualTo(URI.create(url));
    }

    @Test
    void aRedisPasswordNeverShowsInToString() {
        RedisStateConfig redis = full().state().redis();

        assertThat(redis.toString()).doesNotContain("hunter2").contains("rediss://***@redis.internal:6380/2");
        assertThat(redis.redactedUrl()).isEqualTo("rediss://***@redis.internal:6380/2");
        assertThat(full().toString()).doesNotContain("hunter2");
    }

    @Test
    void everyIdentityKeyIsBound() {
        IdentityConfig identity = full().identity();

        assertThat(identity.apiKeyHeader()).isEqualTo("x-client-key");
        assertThat(identity.hideApiKey()).isTrue();
        assertThat(identity.trustedProxies()).containsExactly("10.0.0.0/8", "2001:db8::/32", "192.168.1.1");
        assertThat(identity.jwt()).isEqualTo(new JwtConfig("x-token", SECRET.getBytes(StandardCharsets.UTF_8), null,
                "https://auth.example", "checkout"));
    }

    @Test
    void theApiKeyIsForwardedUpstreamUnlessHidden() {
        assertThat(valid(MINIMAL).identity().hideApiKey()).isFalse();
        assertThat(valid(TestConfigs.withRoot("identity: { api-key-header: X-Key }")).identity().hideApiKey())
                .isFalse();
        assertThat(valid(TestConfigs.withRoot("identity: { hide-api-key: false }")).identity().hideApiKey())
                .isFalse();
        assertThat(valid(TestConfigs.withRoot("identity: { hide-api-key: true }")).identity())
                .isEqualTo(new IdentityConfig("x-api-key", true, List.of(), null));
    }

    @Test
    void hideApiKeyTakesOnlyABoolean() {
        assertThat(TestConfigs.errors(TestConfigs.withRoot("identity:\n  hide-api-key: yes\n")))
                .containsExactly("test.yaml:2:17: identity.hide-api-key: yes (expected: true or false)");
    }

    @Test
    void aTrustedProxyMayBeASingleValue() {
        assertThat(valid(TestConfigs.withRoot("identity: { trusted-proxies: \"::1\" }")).identity().trustedProxies())
                .containsExactly("::1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.0/0", "10.0.0.0/32", "::", "::/0", "fe80::/10", "2001:db8::1/128"})
    void addressesAndRangesThatAreTrusted(String proxy) {
        assertThat(valid(TestConfigs.withRoot("identity: { trusted-proxies: \"" + proxy + "\" }")).identity()
                .trustedProxies()).containsExactly(proxy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.256", "10.0.0.0/33", "10.0.0.0/", "::/129", "localhost", "/8"})
    void addressesAndRangesThatAreNot(String proxy) {
        assertThat(TestConfigs.errors(TestConfigs.withRoot("identity: { trusted-proxies: \"" + proxy + "\" }")))
                .singleElement().asString().startsWith("test.yaml:1:30: identity.trusted-proxies: " + proxy
                        + " (expected: an IP address or CIDR range");
    }

    @Test
    void jwtDefaultsToTheAuthorizationHeaderAndAnyIssuerOrAudience() {
        JwtConfig jwt = valid(TestConfigs.withRoot("identity: { jwt: { hmac-secret-env: JWT_SECRET } }"),
                Path.of(""), Map.of("JWT_SECRET", SECRET)).identity().jwt();

        assertThat(jwt).isEqualTo(new JwtConfig("authorization", SECRET.getBytes(StandardCharsets.UTF_8), null,
                null, null));
    }

    @Test
    void anHmacSecretFileIsReadRelativeToTheConfigFileWithoutItsTrailingNewline(@TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/jwt.key"), SECRET + "\n");

        JwtConfig jwt = valid(TestConfigs.withRoot("identity: { jwt: { hmac-secret-file: secrets/jwt.key } }"),
                dir, Map.of()).identity().jwt();

        assertThat(jwt.hmacSecret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(jwt.jwksJson()).isNull();
    }

    @Test
    void aJwksFileIsReadWhole(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("jwks.json"), JWKS);

        JwtConfig jwt = valid(TestConfigs.withRoot("identity: { jwt: { jwks-file: jwks.json, issuer: me } }"),
                dir, Map.of()).identity().jwt();

        assertThat(jwt.jwksJson()).isEqualTo(JWKS);
        assertThat(jwt.hmacSecret()).isNull();
        assertThat(jwt.issuer()).isEqualTo("me");
    }

    @Test
    void aLoadedFileNamesFilesRelativeToItsOwnDirectory(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/jwks.json"), JWKS);
        Files.writeString(dir.resolve("conf/rampart.yaml"),
                TestConfigs.withRoot("identity: { jwt: { jwks-file: jwks.json } }"));

        ConfigResult result = ConfigLoader.load(dir.resolve("conf/rampart.yaml"));

        assertThat(result.errors()).isEmpty();
        assertThat(result.config().identity().jwt().jwksJson()).isEqualTo(JWKS);
    }

    @Test
    void aJwtSecretNeverShowsInToString() {
        assertThat(full().identity().jwt().toString()).doesNotContain(SECRET).contains("32 bytes, hidden");
        assertThat(full().toString()).doesNotContain(SECRET);
    }

    @Test
    void jwtConfigsWithTheSameSecretAreEqual() {
        JwtConfig a = new JwtConfig("authorization", SECRET.getBytes(StandardCharsets.UTF_8), null, "i", "a");
        JwtConfig b = new JwtConfig("authorization", SECRET.getBytes(StandardCharsets.UTF_8), null, "i", "a");
        JwtConfig other = new JwtConfig("authorization", (SECRET + "!").getBytes(StandardCharsets.UTF_8), null,
                "i", "a");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(other);
        assertThat(full()).isEqualTo(full());
    }

    @Test
    void aJwtSecretCannotBeChangedFromOutside() {
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        JwtConfig jwt = new JwtConfig("authorization", secret, null, null, null);
        secret[0] = 'x';
        jwt.hmacSecret()[1] = 'x';

        assertThat(jwt.hmacSecret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aJwtConfigHasExactlyOneKeySource() {
        assertThatThrownBy(() -> new JwtConfig("authorization", null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JwtConfig("authorization", new byte[32], JWKS, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyClientKeyIsBound() {
        List<ClientConfig> clients = full().clients();

        assertThat(clients).hasSize(2);
        ClientConfig mobile = clients.get(0);
        assertThat(mobile.name()).isEqualTo("mobile-app");
        assertThat(mobile.apiKeyHashes()).containsExactly(HASH_1, HASH_2);
        assertThat(mobile.routes()).containsExactly("price");
        assertThat(mobile.limits()).containsExactly(
                new RateLimitConfig("client-100-per-m", RateLimitKey.client(), 100, Duration.ofMinutes(1), 100,
                        new RateLimitConfig.Unidentified(100, Duration.ofMinutes(1), 100)),
                new RateLimitConfig("per-user", new RateLimitKey(RateLimitKey.Kind.JWT_CLAIM, "sub"), 10,
                        Duration.ofSeconds(1), 20, new RateLimitConfig.Unidentified(1, Duration.ofSeconds(1), 1)));
        assertThat(mobile.maxConcurrent()).isEqualTo(8);
        assertThat(mobile.mayUse("price")).isTrue();
        assertThat(mobile.mayUse("stock")).isFalse();
    }

    @Test
    void aClientHasEveryRouteNoLimitsAndNoConcurrencyCapByDefault() {
        ClientConfig partner = full().clients().get(1);

        assertThat(partner).isEqualTo(new ClientConfig("partner", List.of(HASH_3), Set.of(), List.of(), 0));
        assertThat(partner.mayUse("stock")).isTrue();
    }

    @Test
    void everyRouteAdmissionKeyIsBound() {
        AdmissionConfig admission = full().routes().get(0).admission();

        assertThat(admission.requireClient()).isTrue();
        assertThat(admission.maxConcurrentPerClient()).isEqualTo(5);
        assertThat(admission.rateLimitHeaders()).isTrue();
        assertThat(admission.onRedisFailure()).isEqualTo(RedisFailureMode.CLOSED);
        assertThat(admission.rateLimits()).containsExactly(
                new RateLimitConfig("per-client", RateLimitKey.client(), 5, Duration.ofSeconds(1), 10,
                        new RateLimitConfig.Unidentified(1, Duration.ofSeconds(1), 2)),
                new RateLimitConfig("ip-1000-per-m", new RateLimitKey(RateLimitKey.Kind.IP, null), 1000,
                        Duration.ofMinutes(1), 1000, null),
                new RateLimitConfig("route-10000-per-h", new RateLimitKey(RateLimitKey.Kind.ROUTE, null), 10000,
                        Duration.ofHours(1), 10000, null),
                new RateLimitConfig("header-x-tenant-50-per-d", new RateLimitKey(RateLimitKey.Kind.HEADER,
                        "x-tenant"), 50, Duration.ofDays(1), 50,
                        new RateLimitConfig.Unidentified(50, Duration.ofDays(1), 5)));
        assertThat(full().routes().get(1).admission()).isEqualTo(AdmissionConfig.none());
    }

    @ParameterizedTest
    @CsvSource({
            "1/s, 1, PT1S", "1/second, 1, PT1S", "60/m, 60, PT1M", "60/minute, 60, PT1M", "5/h, 5, PT1H",
            "5/hour, 5, PT1H", "7/d, 7, PT24H", "7/day, 7, PT24H", "1000000000/s, 1000000000, PT1S"})
    void ratesAreACountPerOneUnit(String rate, long count, Duration period) {
        RateLimitConfig limit = valid(withRoute("rate-limits: [ { key: ip, rate: " + rate + " } ]"))
                .routes().get(0).admission().rateLimits().get(0);

        assertThat(limit.count()).isEqualTo(count);
        assertThat(limit.period()).isEqualTo(period);
        assertThat(limit.burst()).isEqualTo(count);
    }

    @Test
    void theUnidentifiedBucketIsTheLimitItselfUnlessWritten() {
        String yaml = TestConfigs.withRoot("clients: [ { name: a, api-keys: \"" + HASH_1 + "\" } ]")
                + "    rate-limits:\n"
                + "      - { rate: 10/s, burst: 30 }\n"
                + "      - { name: by-rate, rate: 10/s, unidentified: { rate: 2/m } }\n"
                + "      - { name: by-burst, rate: 10/s, unidentified: { burst: 1 } }\n"
                + "      - { name: empty, rate: 10/s, burst: 4, unidentified: {} }\n";

        List<RateLimitConfig> limits = valid(yaml).routes().get(0).admission().rateLimits();

        assertThat(limits).extracting(RateLimitConfig::unidentified).containsExactly(
                new RateLimitConfig.Unidentified(10, Duration.ofSeconds(1), 30),
                new RateLimitConfig.Unidentified(2, Duration.ofMinutes(1), 2),
                new RateLimitConfig.Unidentified(10, Duration.ofSeconds(1), 1),
                new RateLimitConfig.Unidentified(10, Duration.ofSeconds(1), 4));
        assertThat(limits.get(0).name()).isEqualTo("client-10-per-s");
    }

    @Test
    void rateLimitKeysAreWrittenBackAsInTheConfig() {
        assertThat(RateLimitKey.client().configName()).isEqualTo("client");
        assertThat(new RateLimitKey(RateLimitKey.Kind.HEADER, "x-tenant").configName()).isEqualTo("header:x-tenant");
        assertThat(new RateLimitKey(RateLimitKey.Kind.JWT_CLAIM, "sub").configName()).isEqualTo("jwt:sub");
        assertThat(new RateLimitKey(RateLimitKey.Kind.IP, null).alwaysKnown()).isTrue();
        assertThat(new RateLimitKey(RateLimitKey.Kind.HEADER, "x").alwaysKnown()).isFalse();
        assertThatThrownBy(() -> new RateLimitKey(RateLimitKey.Kind.HEADER, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimitKey(RateLimitKey.Kind.IP, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJwtClaimKeyMayNameANamespacedClaim() {
        String yaml = TestConfigs.withRoot("identity: { jwt: { hmac-secret-env: S } }")
                + "    rate-limits: [ { key: \"jwt:https://example.com/tenant\", rate: 5/s } ]\n";

        RateLimitConfig limit = valid(yaml, Path.of(""), Map.of("S", SECRET)).routes().get(0).admission()
                .rateLimits().get(0);

        assertThat(limit.key()).isEqualTo(new RateLimitKey(RateLimitKey.Kind.JWT_CLAIM, "https://example.com/tenant"));
        assertThat(limit.name()).isEqualTo("jwt-https-example-com-tenant-5-per-s");
    }

    @Test
    void onRedisFailureWithoutRedisIsAccepted() {
        assertThat(valid(withRoute("on-redis-failure: open")).routes().get(0).admission().onRedisFailure())
                .isEqualTo(RedisFailureMode.OPEN);
    }

    @Test
    void theSameNameMayBeUsedByARouteAndAClient() {
        String yaml = TestConfigs.withRoot("clients: [ { name: a, api-keys: \"" + HASH_1 + "\", "
                + "rate-limits: [ { name: per-client, rate: 1/s } ] } ]")
                + "    rate-limits: [ { name: per-client, rate: 1/s } ]\n";

        assertThat(valid(yaml).clients().get(0).limits().get(0).name()).isEqualTo("per-client");
    }
}
