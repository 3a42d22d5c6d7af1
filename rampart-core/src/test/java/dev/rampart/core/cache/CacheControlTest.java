package dev.rampart.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading Cache-Control (RFC 9111 §5.2): names ignoring case, quoted arguments, several fields, bad numbers. */
class CacheControlTest {

    @Test
    void directiveNamesAreComparedIgnoringCase() {
        CacheControl cc = CacheControl.parse("No-Store, MAX-AGE=60, S-MaxAge=30");

        assertThat(cc.has("no-store")).isTrue();
        assertThat(cc.seconds("max-age")).isEqualTo(60);
        assertThat(cc.seconds("s-maxage")).isEqualTo(30);
    }

    @Test
    void aDirectiveWithoutArgumentIsPresentButHasNoSeconds() {
        CacheControl cc = CacheControl.parse("public, max-age");

        assertThat(cc.has("public")).isTrue();
        assertThat(cc.has("max-age")).isTrue();
        assertThat(cc.seconds("max-age")).isEqualTo(-1);
        assertThat(cc.seconds("public")).isEqualTo(-1);
    }

    @Test
    void anAbsentDirectiveIsNotPresentAndHasNoSeconds() {
        CacheControl cc = CacheControl.parse("public");

        assertThat(cc.has("private")).isFalse();
        assertThat(cc.seconds("max-age")).isEqualTo(-1);
    }

    @Test
    void whitespaceAroundNamesArgumentsAndCommasIsIgnored() {
        CacheControl cc = CacheControl.parse(" \tmax-age = 60 ,\t public ,, ,s-maxage=5 ");

        assertThat(cc.seconds("max-age")).isEqualTo(60);
        assertThat(cc.has("public")).isTrue();
        assertThat(cc.seconds("s-maxage")).isEqualTo(5);
    }

    @Test
    void aQuotedDeltaSecondsIsAccepted() {
        assertThat(CacheControl.parse("max-age=\"60\"").seconds("max-age")).isEqualTo(60);
    }

    @Test
    void aCommaInsideAQuotedArgumentDoesNotEndTheDirective() {
        CacheControl cc = CacheControl.parse("private=\"set-cookie, x-user\", max-age=10");

        assertThat(cc.has("private")).isTrue();
        assertThat(cc.has("x-user\"")).isFalse();
        assertThat(cc.has("x-user")).isFalse();
        assertThat(cc.seconds("max-age")).isEqualTo(10);
    }

    @Test
    void aBackslashInAQuotedArgumentEscapesTheNextCharacter() {
        // the escaped quote does not close the string; the escaped digit is kept without its backslash
        CacheControl cc = CacheControl.parse("ext=\"a\\\"b, c\", s-maxage=\"1\\2\", max-age=3");

        assertThat(cc.has("ext")).isTrue();
        assertThat(cc.has("c\"")).isFalse();
        assertThat(cc.seconds("s-maxage")).isEqualTo(12);
        assertThat(cc.seconds("max-age")).isEqualTo(3);
    }

    @Test
    void textAfterTheClosingQuoteIsSkippedUpToTheNextComma() {
        CacheControl cc = CacheControl.parse("max-age=\"5\"junk, public");

        assertThat(cc.seconds("max-age")).isEqualTo(5);
        assertThat(cc.has("public")).isTrue();
        assertThat(cc.has("junk")).isFalse();
    }

    @Test
    void anUnterminatedQuoteKeepsWhatParsedBeforeIt() {
        CacheControl cc = CacheControl.parse("public, no-cache=\"set-cookie, max-age=60");

        assertThat(cc.has("public")).isTrue();
        assertThat(cc.has("no-cache")).isTrue();
        assertThat(cc.has("max-age")).isFalse(); // swallowed by the open quote
    }

    @Test
    void directivesOfEveryFieldValueCount() {
        CacheControl cc = CacheControl.parse(List.of("public", "max-age=10, stale-if-error=60", "s-maxage=20"));

        assertThat(cc.has("public")).isTrue();
        assertThat(cc.seconds("max-age")).isEqualTo(10);
        assertThat(cc.seconds("stale-if-error")).isEqualTo(60);
        assertThat(cc.seconds("s-maxage")).isEqualTo(20);
    }

    @Test
    void aDirectiveGivenTwiceKeepsItsFirstValue() {
        assertThat(CacheControl.parse("max-age=10, max-age=20").seconds("max-age")).isEqualTo(10);
        assertThat(CacheControl.parse("MAX-AGE=5, max-age=6").seconds("max-age")).isEqualTo(5);
    }

    @Test
    void aDirectiveRepeatedInALaterFieldValueKeepsTheFirstFieldsValue() {
        assertThat(CacheControl.parse(List.of("max-age=10", "max-age=20")).seconds("max-age")).isEqualTo(10);
    }

    @Test
    void aMalformedFirstValueStillWinsOverALaterGoodOne() {
        // the duplicate is not a second chance: the response then has no usable max-age, the safe reading
        assertThat(CacheControl.parse("max-age=soon, max-age=60").seconds("max-age")).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"max-age=", "max-age=abc", "max-age=-1", "max-age=+5", "max-age=1.5", "max-age=5s",
            "max-age=0x10", "max-age=1 2", "max-age=\"\"", "max-age=\"ten\"", "max-age= \"60\""})
    void aMalformedDeltaSecondsCountsAsAbsent(String field) {
        CacheControl cc = CacheControl.parse(field);

        assertThat(cc.has("max-age")).isTrue();
        assertThat(cc.seconds("max-age")).isEqualTo(-1);
    }

    @Test
    void zeroAndLeadingZerosAreValidDeltaSeconds() {
        assertThat(CacheControl.parse("max-age=0").seconds("max-age")).isZero();
        assertThat(CacheControl.parse("max-age=0060").seconds("max-age")).isEqualTo(60);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2147483647", "2147483648", "999999999999", "9999999999999",
            "99999999999999999999999999999999"})
    void deltaSecondsBeyondTheRangeAreCappedNotRejected(String seconds) {
        assertThat(CacheControl.parse("max-age=" + seconds).seconds("max-age")).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void theLargestValueBelowTheCapIsKeptExactly() {
        assertThat(CacheControl.parse("max-age=2147483646").seconds("max-age")).isEqualTo(2147483646L);
    }

    @Test
    void noFieldMeansNoDirectives() {
        assertThat(CacheControl.parse((String) null).isEmpty()).isTrue();
        assertThat(CacheControl.parse((List<String>) null).isEmpty()).isTrue();
        assertThat(CacheControl.parse(List.of()).isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ",", " , ,, ", "=5", " = \"x\" "})
    void fieldsWithoutANamedDirectiveAreEmpty(String field) {
        assertThat(CacheControl.parse(field).isEmpty()).isTrue();
    }

    @Test
    void aFieldWithADirectiveIsNotEmpty() {
        assertThat(CacheControl.parse("public").isEmpty()).isFalse();
    }
}
