package dev.rampart.gateway.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aLineCarriesEveryFieldAsValidJson() throws Exception {
        AccessLog.Entry entry = new AccessLog.Entry(1_764_087_012_345L, "price", "GET", "/v1/prices/42", 200,
                12_345_678, "http://127.0.0.1:7001", 200, 0, 48, "abc", "127.0.0.1", null);

        JsonNode line = json.readTree(AccessLog.format("checkout-edge", entry));

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
    }

    @Test
    void gatewayErrorsAreLoggedAtErrorLevelWithTheirCode() throws Exception {
        AccessLog.Entry entry = new AccessLog.Entry(0, "price", "GET", "/p", 504, 2_000_000_000L, null, 0, 0, 0,
                "id", "::1", "upstream_timeout");

        JsonNode line = json.readTree(AccessLog.format("s", entry));

        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("upstream_status").isNull()).isTrue();
        assertThat(line.get("error_code").asText()).isEqualTo("upstream_timeout");
        assertThat(line.get("duration_ms").decimalValue()).isEqualByComparingTo("2000.000");
    }

    @Test
    void hostileValuesCannotBreakTheJsonLine() throws Exception {
        AccessLog.Entry entry = new AccessLog.Entry(0, "r", "GET", "/a\"b\\c\nd\u0001\u2028", 200, 0, null, 0, 0, 0,
                "id", null, null);

        String text = AccessLog.format("s", entry);

        assertThat(text).doesNotContain("\n").doesNotContain("\u2028");
        assertThat(json.readTree(text).get("path").asText()).isEqualTo("/a\"b\\c\nd\u0001\u2028");
    }
}
