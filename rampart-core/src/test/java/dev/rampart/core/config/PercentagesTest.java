package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PercentagesTest {

    @ParameterizedTest
    @CsvSource({
            "0%, 0.0",
            "20%, 0.2",
            "50%, 0.5",
            "99.9%, 0.999",
            "99.99%, 0.9999",
            "100%, 1.0",
            "100.0%, 1.0",
            "0.1%, 0.001",
    })
    void wellFormedPercentagesParseToFractions(String text, double fraction) {
        assertThat(Percentages.parse(text)).isEqualTo(fraction);
    }

    @ParameterizedTest
    @CsvSource({
            "0%, 0.0",
            "50%, 50.0",
            "90.5%, 90.5",
            "0.1%, 0.1",
            "100%, 100.0",
    })
    void percentsParseToTheNumberWrittenWithoutRoundingError(String text, double percent) {
        assertThat(Percentages.parsePercent(text)).isEqualTo(percent);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "20", "0.2", "%", "-1%", "+5%", "100.1%", "101%", "20 %", " 20%", "20%%", ".5%",
            "5.%", "20 percent", "1e2%"})
    void malformedOrOutOfRangePercentagesAreRejected(String text) {
        assertThatThrownBy(() -> Percentages.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith((text.isEmpty() ? "\"\"" : text) + " (expected: ")
                .hasMessageContaining("from 0% to 100%");
        assertThatThrownBy(() -> Percentages.parsePercent(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
