package dev.rampart.gateway.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theCacheResultAndIdempotencyOutcomeAreFieldsOnlyWhenTheRequestHadThem() throws Exception {
        ExchangeRecord cached = new ExchangeRecord(0, "price", "pricing", null, "GET", "/p", null, 200, 0, 0, 0, 10,
                "id", null, null, -1, -1, -1, -1, null, null, 0, null, null, null, null, "HIT", null);
        ExchangeRecord replayed = new ExchangeRecord(0, "pay", "payments", null, "POST", "/p", null, 201, 0, 0, 0,
                10, "id", null, null, -1, -1, -1, -1, null, null, 0, null, null, null, null, null, "replayed");
        ExchangeRecord plain = new ExchangeRecord(0, "r", "u", null, "GET", "/p", null, 200, 0, 200, 0, 0, "id", null,
                null, -1, -1, -1, -1, null, null);

        JsonNode hit = json.readTree(AccessLog.format("s", false, cached));
        JsonNode replay = json.readTree(AccessLog.format("s", false, replayed));
        JsonNode neither = json.readTree(AccessLog.format("s", false, plain));

        assertThat(hit.get("cache").asText()).isEqualTo("HIT");
        assertThat(hit.has("idempotency")).isFalse();
        assertThat(replay.get("idempotency").asText()).isEqualTo("replayed");
        assertThat(replay.has("cache")).isFalse();
        assertThat(neither.has("cache")).isFalse();
        assertThat(neither.has("idempotency")).isFalse();
    }

    @Test
    void aLineCarriesEveryFieldAsValidJson() throws Exception {
        ExchangeRecord entry = new ExchangeRecord(1_764_087_012_345L, "price", "pricing", "http://127.0.0.1:7001",
                "GET", "/v1/prices/42", "token=secret", 200, 12_345_678, 200, 0, 48, "abc", "127.0.0.1", null,
                250_000, 1_500_000, 9_000_000, 10_000_000, null, null);

        JsonNode line = json.readTree(AccessLog.format("checkout-edge", false, entry));

        assertThat(line.get("timestamp").asText()).isEqualTo("2025-11-25T16:10:12.345Z");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("service").asText()).isEqualTo("checkout-edge");
        assertThat(line.get("route").asText()).isEqualTo("price");
        assertThat(line.get("method").asText()).isEqualTo("GET");
        assertThat(line.get("path").asText()).isEqualTo("/v1/prices/42");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("duration_ms").decimalValue()).isEqualByComparingTo("12.345");
        assertThat(line.get("upstream").asText()).isEqualTo("http://127.0.0.1:7001");
        assertThat(line.get("upstream_status").asInt()).isEqualTo(200);
        assertThat(line.get("bytes_in").asLong()).isZero();
        assertThat(line.get("bytes_out").asLong()).isEqualTo(48);
        assertThat(line.get("request_id").asText()).isEqualTo("abc");
        assertThat(line.get("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.get("error_code").isNull()).isTrue();
        assertThat(line.get("queue_ms").decimalValue()).isEqualByComparingTo("0.250");
        assertThat(line.get("upstream_connect_ms").decimalValue()).isEqualByComparingTo("1.500");
        assertThat(line.get("upstream_ttfb_ms").decimalValue()).isEqualByComparingTo("9.000");
    }

    @Test
    void theQueryStringIsLoggedOnlyWhenTheConfigAsksForIt() throws Exception {
        ExchangeRecord entry = new ExchangeRecord(0, "r", "u", null, "GET", "/p", "token=secret", 200, 0, 200, 0, 0,
                "id", null, null, -1, -1, -1, -1, null, null);

        assertThat(AccessLog.format("s", false, entry)).doesNotContain("token");
        assertThat(json.readTree(AccessLog.format("s", true, entry)).get("path").asText()).isEqualTo("/p?token=secret");
    }

    @Test
    void gatewayErrorsAreLoggedAtErrorLevelWithTheirCode() throws Exception {
        ExchangeRecord entry = new ExchangeRecord(0, "price", "pricing", null, "GET", "/p", null, 504,
                2_000_000_000L, 0, 0, 0, "id", "::1", "upstream_timeout", 100, -1, -1, -1, null, null);

        JsonNode line = json.readTree(AccessLog.format("s", false, entry));

        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("upstream_status").isNull()).isTrue();
        assertThat(line.get("error_code").asText()).isEqualTo("upstream_timeout");
        assertThat(line.get("duration_ms").decimalValue()).isEqualByComparingTo("2000.000");
        assertThat(line.get("upstream_connect_ms").isNull()).as("unmeasured hops are null").isTrue();
    }

    @Test
    void hostileValuesCannotBreakTheJsonLine() throws Exception {
        ExchangeRecord entry = new ExchangeRecord(0, "r", null, null, "GET", "/a\"b\\c\nd\u0001\u2028", null, 200, 0,
                0, 0, 0, "id", null, null, -1, -1, -1, -1, null, null);

        String text = AccessLog.format("s", false, entry);

        assertThat(text).doesNotContain("\n").doesNotContain("\u2028");
        assertThat(json.readTree(text).get("path").asText()).isEqualTo("/a\"b\\c\nd\u0001\u2028");
    }
}
