package dev.rampart.core.resilience;

/**
 * Parses an HTTP Retry-After value (RFC 9110 10.2.3): delta-seconds, or an HTTP-date (IMF-fixdate; also accept the
 * obsolete RFC 850 and asctime forms).
 *
 * <p>A hand-written parser rather than {@code DateTimeFormatter}: an upstream that sends garbage on every response
 * costs no exception and no allocation. Dates are read as the RFC's grammar writes them (case-sensitive names, fixed
 * widths, {@code GMT}); a day name that does not match the date is tolerated, a day that does not exist in its month
 * is not.
 */
public final class RetryAfter {
    /** The longest delay either form can ask for; anything longer is capped to it. */
    public static final long MAX_DELAY_SECONDS = 24 * 60 * 60;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long MILLIS_PER_DAY = 24 * 60 * 60 * 1000L;
    private static final long MALFORMED = Long.MIN_VALUE;
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] LONG_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};

    private RetryAfter() {
    }

    /**
     * Delay in nanoseconds from now; a date in the past gives 0; -1 when the value is missing or malformed (including
     * negative numbers, garbage, a number too large for a long); deltas and dates further away than
     * {@link #MAX_DELAY_SECONDS} (1 day) are capped to it. Whitespace around the value is ignored.
     *
     * @param value          the header's value; null when the header is absent
     * @param nowEpochMillis the wall-clock time now, against which a date is measured
     */
    public static long parseNanos(String value, long nowEpochMillis) {
        if (value == null) {
            return -1;
        }
        int start = 0;
        int end = value.length();
        while (start < end && isWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(value.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return -1;
        }
        if (isDigit(value.charAt(start))) {
            long seconds = parseDeltaSeconds(value, start, end);
            return seconds < 0 ? -1 : Math.min(seconds, MAX_DELAY_SECONDS) * NANOS_PER_SECOND;
        }
        long epochSeconds = parseHttpDate(value, start, end, nowEpochMillis);
        if (epochSeconds == MALFORMED) {
            return -1;
        }
        long dateMillis = epochSeconds * 1000; // |epochSeconds| < 2.6e11 for years 0..9999: no overflow
        if (dateMillis <= nowEpochMillis) {
            return 0;
        }
        if (nowEpochMillis < dateMillis - MAX_DELAY_SECONDS * 1000) {
            return MAX_DELAY_SECONDS * NANOS_PER_SECOND;
        }
        return (dateMillis - nowEpochMillis) * 1_000_000;
    }

    /** The header value to send for a delay: whole seconds, rounded up, at least 1. */
    public static String format(long delayNanos) {
        long seconds = delayNanos <= 0 ? 1
                : Math.max(1, delayNanos / NANOS_PER_SECOND + (delayNanos % NANOS_PER_SECOND == 0 ? 0 : 1));
        return Long.toString(seconds);
    }

    /** The number, or -1 on a non-digit or overflow. */
    private static long parseDeltaSeconds(String s, int start, int end) {
        long seconds = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            int digit = c - '0';
            if (seconds > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            seconds = seconds * 10 + digit;
        }
        return seconds;
    }

    /** Seconds since the epoch, or {@link #MALFORMED}. */
    private static long parseHttpDate(String s, int start, int end, long nowEpochMillis) {
        int length = end - start;
        if (length == 29 && s.charAt(start + 3) == ',') {
            return imfFixdate(s, start);
        }
        if (length == 24 && s.charAt(start + 3) == ' ') {
            return asctime(s, start);
        }
        int comma = s.indexOf(',', start);
        if (comma > start && comma < end && length == comma - start + 24) {
            return rfc850(s, start, comma, nowEpochMillis);
        }
        return MALFORMED;
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT} */
    private static long imfFixdate(String s, int at) {
        if (indexOf(DAYS, s, at, 3) < 0 || !matches(s, at + 3, ", ")) {
            return MALFORMED;
        }
        int day = twoDigits(s, at + 5);
        int month = indexOf(MONTHS, s, at + 8, 3) + 1;
        int year = fourDigits(s, at + 12);
        if (s.charAt(at + 7) != ' ' || s.charAt(at + 11) != ' ' || s.charAt(at + 16) != ' '
                || !matches(s, at + 25, " GMT")) {
            return MALFORMED;
        }
        return epochSeconds(year, month, day, s, at + 17);
    }

    /** {@code Sunday, 06-Nov-94 08:49:37 GMT}: the two-digit year is the one within 50 years of now. */
    private static long rfc850(String s, int at, int comma, long nowEpochMillis) {
        if (indexOf(LONG_DAYS, s, at, comma - at) < 0 || !matches(s, comma, ", ")) {
            return MALFORMED;
        }
        int p = comma + 2;
        int day = twoDigits(s, p);
        int month = indexOf(MONTHS, s, p + 3, 3) + 1;
        int twoDigitYear = twoDigits(s, p + 7);
        if (s.charAt(p + 2) != '-' || s.charAt(p + 6) != '-' || s.charAt(p + 9) != ' ' || twoDigitYear < 0
                || !matches(s, p + 18, " GMT")) {
            return MALFORMED;
        }
        // RFC 9110 5.6.7: a date more than 50 years ahead means the most recent past year with those digits
        long nowYear = yearOf(Math.floorDiv(nowEpochMillis, MILLIS_PER_DAY));
        long year = nowYear - Math.floorMod(nowYear, 100) + twoDigitYear;
        if (year > nowYear + 50) {
            year -= 100;
        } else if (year <= nowYear - 50) {
            year += 100;
        }
        long seconds = epochSeconds(year, month, day, s, p + 10);
        if (year == nowYear + 50 && seconds != MALFORMED) {
            // the year 50 ahead is more than 50 years ahead when its date is later in the year than today
            long fiftyYearsEarlier = seconds + (epochDay(nowYear, month, day) - epochDay(year, month, day)) * 86_400;
            if (fiftyYearsEarlier * 1000 > nowEpochMillis) {
                seconds = epochSeconds(year - 100, month, day, s, p + 10);
            }
        }
        return seconds;
    }

    /** {@code Sun Nov  6 08:49:37 1994}: the day is two digits or a space and one digit. */
    private static long asctime(String s, int at) {
        if (indexOf(DAYS, s, at, 3) < 0) {
            return MALFORMED;
        }
        int month = indexOf(MONTHS, s, at + 4, 3) + 1;
        int day = s.charAt(at + 8) == ' ' ? digit(s, at + 9) : twoDigits(s, at + 8);
        int year = fourDigits(s, at + 20);
        if (s.charAt(at + 7) != ' ' || s.charAt(at + 10) != ' ' || s.charAt(at + 19) != ' ') {
            return MALFORMED;
        }
        return epochSeconds(year, month, day, s, at + 11);
    }

    /**
     * The date, and the {@code HH:MM:SS} at {@code timeAt}, as seconds since the epoch; checks every field. Years are
     * 0..9999, as four digits write them, which keeps the milliseconds of any date far from overflow.
     */
    private static long epochSeconds(long year, int month, int day, String s, int timeAt) {
        int hour = twoDigits(s, timeAt);
        int minute = twoDigits(s, timeAt + 3);
        int second = twoDigits(s, timeAt + 6);
        if (year < 0 || year > 9999 || month < 1 || day < 1 || day > daysInMonth(year, month)
                || s.charAt(timeAt + 2) != ':' || s.charAt(timeAt + 5) != ':'
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
            return MALFORMED;
        }
        return epochDay(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    }

    private static int daysInMonth(long year, int month) {
        if (month == 2) {
            boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            return leap ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long epochDay(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** The year of a day counted from 1970-01-01 (H. Hinnant's civil_from_days). */
    static long yearOf(long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153; // 0 = March ... 11 = February
        return yearOfEra + era * 400 + (shiftedMonth >= 10 ? 1 : 0);
    }

    /** The index of the name of {@code length} characters at {@code at}, or -1. */
    private static int indexOf(String[] names, String s, int at, int length) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].length() == length && s.startsWith(names[i], at)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(String s, int at, String expected) {
        return s.startsWith(expected, at);
    }

    /** The two-digit number at {@code at}, or -1. */
    private static int twoDigits(String s, int at) {
        int tens = digit(s, at);
        int ones = digit(s, at + 1);
        return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
    }

    private static int fourDigits(String s, int at) {
        int high = twoDigits(s, at);
        int low = twoDigits(s, at + 2);
        return high < 0 || low < 0 ? -1 : high * 100 + low;
    }

    private static int digit(String s, int at) {
        char c = s.charAt(at);
        return isDigit(c) ? c - '0' : -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }
}
