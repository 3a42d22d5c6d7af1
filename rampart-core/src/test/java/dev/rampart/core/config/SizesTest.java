package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "512, 512",
            "512B, 512",
            "1KiB, 1024",
            "16KiB, 16384",
            "10MiB, 10485760",
            "1GiB, 1073741824",
            "64GiB, 68719476736",
            "1KB, 1000",
            "10MB, 10000000",
            "2GB, 2000000000",
    })
    void wellFormedSizesParseToBytes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "+1", "1.5MiB", "16 KiB", " 16KiB", "16kib", "16kb", "16Kb", "16K", "16k",
            "16M", "1TiB", "KiB", "16KiBs", "1e3", "0x10", "1_000", "99999999999999999999", "9999999999GiB"})
    void malformedSizesAreRejectedWithTheExpectedSyntax(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith((text.isEmpty() ? "\"\"" : text) + " (expected: ")
                .hasMessageContaining("KiB");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1000, 1000",
            "1024, 1KiB",
            "65536, 64KiB",
            "10485760, 10MiB",
            "68719476736, 64GiB",
            "1536, 1536",
    })
    void formatGivesTheShortestExactBinaryForm(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }
}
