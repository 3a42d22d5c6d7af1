package dev.rampart.gateway.logging;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLineBufferTest {
    private final ObjectMapper json = new ObjectMapper();

    private String parsedString(CharSequence value) throws Exception {
        JsonLineBuffer out = new JsonLineBuffer(4);
        out.raw(JsonLineBuffer.ascii("{\"v\":")).string(value).raw('}');
        return json.readTree(out.toString()).get("v").asText();
    }

    @Test
    void plainAsciiIsCopiedAsIs() {
        JsonLineBuffer out = new JsonLineBuffer(8).string("/v1/prices/abc-123");
        assertThat(out.toString()).isEqualTo("\"/v1/prices/abc-123\"");
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        assertThat(new JsonLineBuffer(8).string("a\"b\\c\nd\re\tf\u0001g\u007f\u2028").toString())
                .isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007f\\u2028\"");
    }

    @Test
    void nonAsciiTextIsWrittenAsUtf8() {
        JsonLineBuffer out = new JsonLineBuffer(8).string("caf\u00e9 \u20ac \uD83D\uDE00");
        assertThat(new String(out.array(), 0, out.length(), StandardCharsets.UTF_8))
                .isEqualTo("\"caf\u00e9 \u20ac \uD83D\uDE00\"");
    }

    @Test
    void aLoneSurrogateIsEscapedRatherThanWrittenAsInvalidUtf8() {
        assertThat(new JsonLineBuffer(8).string("x\uD800y").toString()).isEqualTo("\"x\\ud800y\"");
    }

    @Test
    void nullIsTheJsonLiteral() {
        assertThat(new JsonLineBuffer(1).string(null).toString()).isEqualTo("null");
    }

    @Test
    void anyStringSurvivesTheRoundTripThroughAJsonParser() throws Exception {
        Random random = new Random(20261129);
        char[] alphabet = "az/?\"\\\n\t\u0000\u001f\u007f\u00e9\u0800\uffff\u2028\uD83D\uDE00\uD800\uDC00".toCharArray();
        for (int i = 0; i < 2000; i++) {
            StringBuilder value = new StringBuilder();
            int n = random.nextInt(40);
            for (int j = 0; j < n; j++) {
                value.append(alphabet[random.nextInt(alphabet.length)]);
            }
            assertThat(parsedString(value.toString())).as("case %d", i).isEqualTo(value.toString());
            assertThat(parsedString(new StringBuilder(value))).as("case %d as a CharSequence", i)
                    .isEqualTo(value.toString());
        }
    }

    @Test
    void numbersMatchLongToString() {
        long[] values = {0, 7, 9, 10, 99, 100, 101, 110, 200, 999, 1000, 1024, -1, -10, -999, Long.MAX_VALUE,
                Long.MIN_VALUE, 1_000_000_007L};
        for (long value : values) {
            assertThat(new JsonLineBuffer(1).number(value).toString()).isEqualTo(Long.toString(value));
        }
        for (long value = -1_100; value <= 1_100; value++) {
            assertThat(new JsonLineBuffer(2).raw('x').number(value).toString()).isEqualTo("x" + value);
        }
    }

    @Test
    void millisHaveMicrosecondPrecisionAndNeverGoNegative() {
        assertThat(new JsonLineBuffer(1).millis(12_345_678).toString()).isEqualTo("12.345");
        assertThat(new JsonLineBuffer(1).millis(1_000).toString()).isEqualTo("0.001");
        assertThat(new JsonLineBuffer(1).millis(999).toString()).isEqualTo("0.000");
        assertThat(new JsonLineBuffer(1).millis(30_000_000_000L).toString()).isEqualTo("30000.000");
        assertThat(new JsonLineBuffer(1).millis(-5).toString()).isEqualTo("0.000");
    }

    @Test
    void timestampsAreRfc3339UtcWithMilliseconds() {
        assertThat(new JsonLineBuffer(1).timestamp(1_764_089_412_005L).toString())
                .isEqualTo(Rfc3339.format(1_764_089_412_005L)).isEqualTo("2025-11-25T16:50:12.005Z");
        assertThat(new JsonLineBuffer(1).timestamp(0).toString()).isEqualTo("1970-01-01T00:00:00.000Z");
    }

    @Test
    void swapHandsOutTheWrittenArrayAndStartsOverInTheNextOne() {
        JsonLineBuffer out = new JsonLineBuffer(64).string("first");
        byte[] next = new byte[64];
        byte[] written = out.swap(next);
        assertThat(new String(written, 0, 7, StandardCharsets.UTF_8)).isEqualTo("\"first\"");
        assertThat(out.length()).isZero();
        assertThat(out.string("second").array()).isSameAs(next);
    }
}
