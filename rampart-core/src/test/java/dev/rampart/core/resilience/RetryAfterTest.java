package dev.rampart.core.resilience;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long DAY = 86_400 * SECOND;
    /** The example date of RFC 9110, in its three forms. */
    private static final String IMF = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String RFC_850 = "Sunday, 06-Nov-94 08:49:37 GMT";
    private static final String ASCTIME = "Sun Nov  6 08:49:37 1994";
    private static final long EXAMPLE_MILLIS = Instant.parse("1994-11-06T08:49:37Z").toEpochMilli();
    private static final long NOW = Instant.parse("2025-06-01T12:00:00Z").toEpochMilli();

    private static final DateTimeFormatter IMF_FORMAT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850_FORMAT =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME_FORMAT =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

    @ParameterizedTest(name = "\"{0}\" is {1} s")
    @CsvSource(delimiter = '|', value = {
            "120|120",
            "0|0",
            "1|1",
            "007|7",
            "'  5 '|5",
            "'\t30\t'|30",
            "86399|86399",
            "86400|86400",
    })
    void deltaSecondsAreADelayFromNow(String value, long seconds) {
        assertThat(RetryAfter.parseNanos(value, NOW)).isEqualTo(seconds * SECOND);
    }

    @ParameterizedTest
    @ValueSource(strings = {"86401", "100000000", "9223372036854775807", "000000000000000000000000000086401"})
    void deltasBeyondADayAreCappedToADay(String value) {
        assertThat(RetryAfter.parseNanos(value, NOW)).isEqualTo(DAY);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "\t", "-1", "-0", "+1", "1.5", "1e3", "1 2", "12abc", "abc", "0x10", "١٢",
            "9223372036854775808", "99999999999999999999999", "120s", "Sun", "Sun, 06 Nov 1994",
            "2025-06-01T12:00:00Z"})
    void missingOrMalformedValuesAreMinusOne(String value) {
        assertThat(RetryAfter.parseNanos(value, NOW)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {IMF, RFC_850, ASCTIME, "Sun Nov 06 08:49:37 1994", "  " + IMF + "\t"})
    void allThreeDateFormsAreTheSameInstant(String value) {
        assertThat(RetryAfter.parseNanos(value, EXAMPLE_MILLIS - 10_000)).isEqualTo(10 * SECOND);
        assertThat(RetryAfter.parseNanos(value, EXAMPLE_MILLIS - 1)).isEqualTo(1_000_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {IMF, RFC_850, ASCTIME})
    void aDateNowOrInThePastIsNoDelay(String value) {
        assertThat(RetryAfter.parseNanos(value, EXAMPLE_MILLIS)).isZero();
        assertThat(RetryAfter.parseNanos(value, EXAMPLE_MILLIS + 1)).isZero();
        assertThat(RetryAfter.parseNanos(value, EXAMPLE_MILLIS + 10 * 86_400_000L)).isZero();
    }

    @Test
    void aDateMoreThanADayAwayIsCappedToADay() {
        assertThat(RetryAfter.parseNanos(IMF, EXAMPLE_MILLIS - 86_400_000)).isEqualTo(DAY);
        assertThat(RetryAfter.parseNanos(IMF, EXAMPLE_MILLIS - 86_400_001)).isEqualTo(DAY);
        assertThat(RetryAfter.parseNanos("Fri, 31 Dec 9999 23:59:59 GMT", NOW)).isEqualTo(DAY);
        assertThat(RetryAfter.parseNanos(IMF, Long.MIN_VALUE)).isEqualTo(DAY);
        assertThat(RetryAfter.parseNanos(IMF, Long.MAX_VALUE)).isZero();
    }

    @Test
    void aTwoDigitYearIsTheOneWithinFiftyYearsOfNow() {
        long in2094 = Instant.parse("2094-11-06T08:49:27Z").toEpochMilli();
        assertThat(RetryAfter.parseNanos(RFC_850, in2094)).isEqualTo(10 * SECOND); // 2094, not 1994

        long in2040 = Instant.parse("2040-01-01T00:00:00Z").toEpochMilli();
        assertThat(RetryAfter.parseNanos(RFC_850, in2040)).isZero(); // 2094 is over 50 years ahead: 1994

        long in2099 = Instant.parse("2099-12-31T23:59:59Z").toEpochMilli();
        assertThat(RetryAfter.parseNanos("Friday, 01-Jan-00 00:00:00 GMT", in2099)).isEqualTo(SECOND); // 2100
    }

    @Test
    void fiftyYearsAheadIsMeasuredToTheSecond() {
        long justBefore = Instant.parse("2044-11-06T08:49:36Z").toEpochMilli();
        long exactly = Instant.parse("2044-11-06T08:49:37Z").toEpochMilli();

        // 94 is 1994 or 2094; 2094-11-06T08:49:37 is more than 50 years after justBefore, exactly 50 after exactly
        assertThat(RetryAfter.parseNanos(RFC_850, justBefore)).isZero();
        assertThat(RetryAfter.parseNanos(RFC_850, exactly)).isEqualTo(DAY);
        assertThat(RetryAfter.parseNanos(RFC_850, Instant.parse("2044-01-01T00:00:00Z").toEpochMilli())).isZero();
        assertThat(RetryAfter.parseNanos(RFC_850, Instant.parse("2044-12-31T00:00:00Z").toEpochMilli()))
                .isEqualTo(DAY);
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE})
    void anyClockGivesAnAnswerWithoutOverflow(long now) {
        for (String value : new String[] {IMF, RFC_850, ASCTIME, "120"}) {
            assertThat(RetryAfter.parseNanos(value, now)).isBetween(-1L, DAY);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sun, 06 Nov 1994 08:49:37 GMT",   // names are case-sensitive
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 gmt",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 6 Nov 1994 08:49:37 GMT",    // the day has two digits
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",   // November has 30 days
            "Wed, 29 Feb 1995 08:49:37 GMT",   // not a leap year
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 08-49-37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:3x GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTX",
            "Sun, 06 Nov 1994 08:49:37",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",     // RFC 850 takes the long day name
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 UTC",
            "Someday, 06-Nov-94 08:49:37 GMT",
            "Sunday,06-Nov-94 08:49:37 GMT ",
            "Sunday, 6-Nov-94 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",         // asctime pads the day with a space
            "Sun Nov  6 08:49:37 94",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun Nov x6 08:49:37 1994",
            "Sun Nov 6  08:49:37 1994",
            "Sunday Nov  6 08:49:37 1994",
    })
    void malformedDatesAreMinusOne(String value) {
        assertThat(RetryAfter.parseNanos(value, EXAMPLE_MILLIS - 10_000)).isEqualTo(-1);
    }

    @Test
    void aLeapDayAndALeapSecondAreDates() {
        long leapDay = Instant.parse("1996-02-29T00:00:00Z").toEpochMilli();
        assertThat(RetryAfter.parseNanos("Thu, 29 Feb 1996 00:00:00 GMT", leapDay - 1_000)).isEqualTo(SECOND);
        long newYear = Instant.parse("2017-01-01T00:00:00Z").toEpochMilli();
        assertThat(RetryAfter.parseNanos("Sat, 31 Dec 2016 23:59:60 GMT", newYear - 1_000)).isEqualTo(SECOND);
    }

    @Test
    void aDayNameThatDoesNotMatchTheDateIsTolerated() {
        assertThat(RetryAfter.parseNanos("Mon, 06 Nov 1994 08:49:37 GMT", EXAMPLE_MILLIS - 10_000))
                .isEqualTo(10 * SECOND);
    }

    @Test
    void datesFromTheJdkFormattersParseToTheirInstantOverManyGeneratedDates() {
        SplittableRandom random = new SplittableRandom(1994);
        long from = Instant.parse("1900-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 30_000; i++) {
            Instant date = Instant.ofEpochSecond(random.nextLong(from, to + 1));
            long aheadMillis = random.nextLong(0, 86_400_001);
            long now = date.toEpochMilli() - aheadMillis;

            for (DateTimeFormatter form : new DateTimeFormatter[] {IMF_FORMAT, RFC_850_FORMAT, ASCTIME_FORMAT}) {
                String value = form.format(date);
                long nanos = RetryAfter.parseNanos(value, now);
                if (nanos != aheadMillis * 1_000_000) {
                    assertThat(nanos).as(value).isEqualTo(aheadMillis * 1_000_000);
                }
            }
        }
    }

    @Test
    void epochDaysAndYearsMatchTheJdkCalendar() {
        for (long day = -800_000; day <= 3_000_000; day += 13) {
            LocalDate date = LocalDate.ofEpochDay(day);
            assertThat(RetryAfter.epochDay(date.getYear(), date.getMonthValue(), date.getDayOfMonth())).isEqualTo(day);
            assertThat(RetryAfter.yearOf(day)).as("day %d", day).isEqualTo(date.getYear());
        }
        for (int year = 1968; year <= 2402; year++) { // every year boundary, leap rules included
            long newYear = LocalDate.of(year, 1, 1).toEpochDay();
            assertThat(RetryAfter.yearOf(newYear)).isEqualTo(year);
            assertThat(RetryAfter.yearOf(newYear - 1)).isEqualTo(year - 1);
        }
    }

    @Test
    void garbageNeverThrowsOverManyGeneratedValues() {
        SplittableRandom random = new SplittableRandom(404);
        String alphabet = "0123456789 ,:-\tSunMonDecGMTday";
        String[] seeds = {IMF, RFC_850, ASCTIME, "120"};
        for (int i = 0; i < 200_000; i++) {
            String value;
            if (i % 2 == 0) { // a valid value with one character changed, dropped or added
                StringBuilder b = new StringBuilder(seeds[random.nextInt(seeds.length)]);
                int at = random.nextInt(b.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> b.setCharAt(at, c);
                    case 1 -> b.deleteCharAt(at);
                    default -> b.insert(at, c);
                }
                value = b.toString();
            } else {
                StringBuilder b = new StringBuilder();
                for (int n = random.nextInt(35); n > 0; n--) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                value = b.toString();
            }

            long nanos = RetryAfter.parseNanos(value, NOW);

            if (nanos < -1 || nanos > DAY) {
                assertThat(nanos).as(value).isBetween(-1L, DAY);
            }
        }
    }

    @ParameterizedTest(name = "{0} ns is \"{1}\"")
    @CsvSource({
            "1000000000, 1",
            "1, 1",
            "0, 1",
            "-5000000000, 1",
            "999999999, 1",
            "1000000001, 2",
            "2500000000, 3",
            "120000000000, 120",
            "9223372036854775807, 9223372037",
    })
    void formatGivesWholeSecondsRoundedUpAndAtLeastOne(long nanos, String header) {
        assertThat(RetryAfter.format(nanos)).isEqualTo(header);
    }

    @Test
    void aFormattedDelayReadsBackAsAtLeastThatDelay() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            long delay = random.nextLong(1, DAY + 1);

            long read = RetryAfter.parseNanos(RetryAfter.format(delay), NOW);

            assertThat(read).isGreaterThanOrEqualTo(delay).isLessThan(delay + SECOND);
        }
    }

    @Test
    void theJdkFormattersWriteWhatTheRfcShows() {
        ZonedDateTime example = Instant.ofEpochMilli(EXAMPLE_MILLIS).atZone(ZoneOffset.UTC);
        assertThat(IMF_FORMAT.format(example)).isEqualTo(IMF);
        assertThat(RFC_850_FORMAT.format(example)).isEqualTo(RFC_850);
        assertThat(ASCTIME_FORMAT.format(example)).isEqualTo(ASCTIME);
    }
}
