package dev.rampart.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a shared cache may store and for how long (RFC 9111 §3, §4.2; RFC 5861), and the conditional helpers. */
class CachePolicyTest {

    /** Sun, 29 Nov 2026 20:00:00 GMT. */
    private static final long NOW = 1_795_982_400_000L;
    private static final String NOW_TEXT = "Sun, 29 Nov 2026 20:00:00 GMT";

    /** A route with a 5 minute TTL, 30 s stale-while-revalidate and 10 minute stale-if-error. */
    private static final CachePolicy ROUTE = new CachePolicy(Duration.ofMinutes(5), Duration.ofSeconds(30),
            Duration.ofMinutes(10));
    /** A route that stores only what the upstream says is fresh, and serves nothing stale. */
    private static final CachePolicy NO_TTL = new CachePolicy(null, Duration.ZERO, Duration.ZERO);

    /** Header lookup over name/value pairs (names lower-case); a name given twice has two values. */
    private static Function<String, List<String>> headers(String... namesAndValues) {
        Map<String, List<String>> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.computeIfAbsent(namesAndValues[i], name -> new ArrayList<>()).add(namesAndValues[i + 1]);
        }
        return name -> map.getOrDefault(name, List.of());
    }

    private static CachePolicy.Decision decide(int status, String... namesAndValues) {
        return ROUTE.decide(status, headers(namesAndValues), false, NOW);
    }

    private static CachePolicy.Decision decideWithAuthorization(String... namesAndValues) {
        return ROUTE.decide(200, headers(namesAndValues), true, NOW);
    }

    private static String httpDate(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC));
    }

    private static void assertNotStored(CachePolicy.Decision decision, String reason) {
        assertThat(decision).isEqualTo(new CachePolicy.Decision(false, reason, 0, 0, 0, 0));
        assertThat(decision.keepSeconds()).isZero();
    }

    // --- which statuses are stored ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {100, 201, 202, 206, 303, 304, 400, 401, 403, 409, 429})
    void statusesOutsideTheStorableSetAreNotStoredWhateverTheHeadersSay(int status) {
        assertNotStored(decide(status, "cache-control", "public, max-age=60"), "status " + status + " is not stored");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 501, 502, 503, 504})
    void serverErrorsAreNeverStoredEvenWithExplicitFreshness(int status) {
        assertNotStored(decide(status, "cache-control", "public, s-maxage=60"), "status " + status + " is not stored");
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414})
    void storableStatusesWithExplicitFreshnessAreStored(int status) {
        CachePolicy.Decision decision = decide(status, "cache-control", "max-age=60");

        assertThat(decision.stored()).isTrue();
        assertThat(decision.reason()).isNull();
        assertThat(decision.freshSeconds()).isEqualTo(60);
    }

    // --- what forbids storing ---------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "no-store                              | no-store",
            "public, max-age=60, No-Store          | no-store",
            "private                               | private",
            "private=\"set-cookie\", s-maxage=60   | private",
            "no-cache                              | no-cache",
            "no-cache=\"x-user\", max-age=60       | no-cache",
            "no-store, private, no-cache           | no-store",
            "private, no-cache                     | private",
    })
    void responsesThatForbidSharedStorageAreNotStored(String cacheControl, String reason) {
        assertNotStored(decide(200, "cache-control", cacheControl), reason);
    }

    @Test
    void directivesInALaterCacheControlFieldForbidStorageToo() {
        assertNotStored(decide(200, "cache-control", "public, max-age=60", "cache-control", "no-store"), "no-store");
    }

    @Test
    void aResponseThatSetsACookieIsNeverStored() {
        assertNotStored(decide(200, "cache-control", "public, s-maxage=60", "set-cookie", "session=abc"),
                "set-cookie");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", " * "})
    void aResponseThatVariesOnEverythingIsNotStored(String vary) {
        assertNotStored(decide(200, "cache-control", "max-age=60", "vary", vary), "vary *");
    }

    @Test
    void aResponseThatVariesOnNamedHeadersIsStored() {
        assertThat(decide(200, "cache-control", "max-age=60", "vary", "accept-encoding", "vary", "accept-language")
                .stored()).isTrue();
    }

    @Test
    void aResponseToAnAuthorizedRequestIsNotStoredWithoutPermission() {
        assertNotStored(decideWithAuthorization("cache-control", "max-age=60"), "authorization");
        assertNotStored(decideWithAuthorization(), "authorization");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "public, max-age=60       | 60",
            "s-maxage=45              | 45",
            "must-revalidate, max-age=60 | 60",
            "public                   | 300",
    })
    void publicSMaxAgeOrMustRevalidateLetAnAuthorizedResponseBeStored(String cacheControl, long fresh) {
        CachePolicy.Decision decision = decideWithAuthorization("cache-control", cacheControl);

        assertThat(decision.stored()).isTrue();
        assertThat(decision.freshSeconds()).isEqualTo(fresh);
    }

    @Test
    void theAuthorizationRuleAppliesOnlyWhenTheRequestHadAuthorization() {
        assertThat(decide(200, "cache-control", "max-age=60").stored()).isTrue();
    }

    // --- how long it is fresh ---------------------------------------------------------------------------------

    @Test
    void sMaxAgeWinsOverMaxAge() {
        assertThat(decide(200, "cache-control", "max-age=60, s-maxage=20").freshSeconds()).isEqualTo(20);
        assertThat(decide(200, "cache-control", "s-maxage=600, max-age=60").freshSeconds()).isEqualTo(600);
    }

    @Test
    void maxAgeWinsOverExpires() {
        assertThat(decide(200, "cache-control", "max-age=60", "date", NOW_TEXT,
                "expires", httpDate(NOW + 3_600_000)).freshSeconds()).isEqualTo(60);
    }

    @Test
    void sMaxAgeWinsOverExpires() {
        assertThat(decide(200, "cache-control", "s-maxage=7", "expires", httpDate(NOW + 3_600_000)).freshSeconds())
                .isEqualTo(7);
    }

    @Test
    void withoutMaxAgeFreshnessIsExpiresMinusTheUpstreamsDate() {
        long upstreamDate = NOW - 3_600_000; // the upstream's clock is an hour behind ours
        CachePolicy.Decision decision = decide(200, "date", httpDate(upstreamDate),
                "expires", httpDate(upstreamDate + 120_000));

        assertThat(decision.stored()).isTrue();
        assertThat(decision.freshSeconds()).isEqualTo(120);
    }

    @Test
    void expiresWithoutDateCountsFromArrival() {
        assertThat(decide(200, "expires", httpDate(NOW + 90_000)).freshSeconds()).isEqualTo(90);
    }

    @Test
    void expiresWithAnUnparsableDateCountsFromArrival() {
        assertThat(decide(200, "date", "yesterday", "expires", httpDate(NOW + 90_000)).freshSeconds())
                .isEqualTo(90);
    }

    @Test
    void expiresBeforeDateIsStoredButAlreadyStale() {
        CachePolicy.Decision decision = decide(200, "date", NOW_TEXT, "expires", httpDate(NOW - 60_000));

        assertThat(decision.stored()).isTrue();
        assertThat(decision.freshSeconds()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "never", "2026-11-30T00:00:00Z", ""})
    void anInvalidExpiresMeansAlreadyExpiredAndTheTtlDoesNotReplaceIt(String expires) {
        CachePolicy.Decision decision = decide(200, "expires", expires);

        assertThat(decision.stored()).isTrue();
        assertThat(decision.freshSeconds()).isZero();
        assertThat(decision.staleWhileRevalidate()).isEqualTo(30);
        assertThat(decision.staleIfError()).isEqualTo(600);
    }

    @Test
    void onlyTheFirstExpiresCounts() {
        assertThat(decide(200, "expires", httpDate(NOW + 10_000), "expires", httpDate(NOW + 99_000))
                .freshSeconds()).isEqualTo(10);
    }

    @Test
    void maxAgeZeroIsExplicitFreshnessAndIsNotReplacedByTheTtl() {
        CachePolicy.Decision decision = decide(200, "cache-control", "max-age=0");

        assertThat(decision.stored()).isTrue();
        assertThat(decision.freshSeconds()).isZero();
    }

    @Test
    void aMalformedSMaxAgeFallsBackToMaxAge() {
        assertThat(decide(200, "cache-control", "s-maxage=soon, max-age=60").freshSeconds()).isEqualTo(60);
    }

    @Test
    void aMalformedMaxAgeFallsBackToExpires() {
        assertThat(decide(200, "cache-control", "max-age=-5", "expires", httpDate(NOW + 40_000)).freshSeconds())
                .isEqualTo(40);
    }

    @Test
    void aMalformedMaxAgeAloneFallsBackToTheTtl() {
        assertThat(decide(200, "cache-control", "max-age=1h").freshSeconds()).isEqualTo(300);
    }

    @Test
    void aHugeMaxAgeIsCappedRatherThanOverflowing() {
        assertThat(decide(200, "cache-control", "max-age=99999999999999999999").freshSeconds())
                .isEqualTo(Integer.MAX_VALUE);
    }

    // --- the route's TTL as a default -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {200, 203, 204, 300, 301, 308, 404, 405, 410, 414})
    void heuristicallyCacheableStatusesWithoutFreshnessGetTheTtl(int status) {
        CachePolicy.Decision decision = decide(status);

        assertThat(decision).isEqualTo(new CachePolicy.Decision(true, null, 300, 30, 600, 0));
    }

    @ParameterizedTest
    @ValueSource(ints = {302, 307})
    void statusesThatAreNotHeuristicallyCacheableNeedExplicitFreshness(int status) {
        assertNotStored(decide(status), "no freshness given and no ttl");
        assertNotStored(decide(status, "cache-control", "public"), "no freshness given and no ttl");
        assertThat(decide(status, "cache-control", "max-age=60").freshSeconds()).isEqualTo(60);
        assertThat(decide(status, "expires", httpDate(NOW + 60_000)).freshSeconds()).isEqualTo(60);
    }

    @Test
    void withoutATtlAResponseWithoutFreshnessIsNotStored() {
        assertNotStored(NO_TTL.decide(200, headers(), false, NOW), "no freshness given and no ttl");
        assertNotStored(NO_TTL.decide(200, headers("cache-control", "public"), false, NOW),
                "no freshness given and no ttl");
    }

    @Test
    void withoutATtlAResponseWithFreshnessIsStored() {
        assertThat(NO_TTL.decide(200, headers("cache-control", "max-age=60"), false, NOW))
                .isEqualTo(new CachePolicy.Decision(true, null, 60, 0, 0, 0));
    }

    @Test
    void theTtlIsUsedInWholeSeconds() {
        CachePolicy policy = new CachePolicy(Duration.ofMillis(2_999), Duration.ZERO, Duration.ZERO);

        assertThat(policy.decide(200, headers(), false, NOW).freshSeconds()).isEqualTo(2);
    }

    // --- stale windows ----------------------------------------------------------------------------------------

    @Test
    void theRoutesStaleWindowsApplyWhenTheResponseNamesNone() {
        CachePolicy.Decision decision = decide(200, "cache-control", "max-age=60");

        assertThat(decision.staleWhileRevalidate()).isEqualTo(30);
        assertThat(decision.staleIfError()).isEqualTo(600);
    }

    @Test
    void theResponsesStaleDirectivesOverrideTheRoutesWindows() {
        CachePolicy.Decision decision = decide(200,
                "cache-control", "max-age=60, stale-while-revalidate=5, stale-if-error=86400");

        assertThat(decision.staleWhileRevalidate()).isEqualTo(5);
        assertThat(decision.staleIfError()).isEqualTo(86400);
    }

    @Test
    void aResponseCanGrantStaleWindowsTheRouteDoesNotHave() {
        CachePolicy.Decision decision = NO_TTL.decide(200,
                headers("cache-control", "max-age=60, stale-while-revalidate=15, stale-if-error=120"), false, NOW);

        assertThat(decision.staleWhileRevalidate()).isEqualTo(15);
        assertThat(decision.staleIfError()).isEqualTo(120);
    }

    @Test
    void aZeroStaleDirectiveSwitchesTheRoutesWindowOff() {
        CachePolicy.Decision decision = decide(200, "cache-control", "max-age=60, stale-while-revalidate=0");

        assertThat(decision.staleWhileRevalidate()).isZero();
        assertThat(decision.staleIfError()).isEqualTo(600);
    }

    @Test
    void aMalformedStaleDirectiveLeavesTheRoutesWindow() {
        CachePolicy.Decision decision = decide(200,
                "cache-control", "max-age=60, stale-while-revalidate=soon, stale-if-error=-1");

        assertThat(decision.staleWhileRevalidate()).isEqualTo(30);
        assertThat(decision.staleIfError()).isEqualTo(600);
    }

    @ParameterizedTest
    @ValueSource(strings = {"must-revalidate", "proxy-revalidate", "Must-Revalidate"})
    void revalidationDirectivesZeroBothStaleWindows(String directive) {
        CachePolicy.Decision decision = decide(200,
                "cache-control", "max-age=60, stale-while-revalidate=5, stale-if-error=86400, " + directive);

        assertThat(decision).isEqualTo(new CachePolicy.Decision(true, null, 60, 0, 0, 0));
        assertThat(decision.keepSeconds()).isEqualTo(60);
    }

    @Test
    void mustRevalidateZeroesTheRoutesWindowsToo() {
        CachePolicy.Decision decision = decide(200, "cache-control", "must-revalidate");

        assertThat(decision).isEqualTo(new CachePolicy.Decision(true, null, 300, 0, 0, 0));
    }

    // --- Age and how long an entry is kept --------------------------------------------------------------------

    @Test
    void theUpstreamsAgeIsRecordedAndNotDeductedFromFreshness() {
        CachePolicy.Decision decision = decide(200, "cache-control", "max-age=100", "age", "30");

        assertThat(decision.freshSeconds()).isEqualTo(100);
        assertThat(decision.ageAtArrivalSeconds()).isEqualTo(30);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "soon", "1.5", ""})
    void anAgeThatIsNotANonNegativeIntegerCountsAsZero(String age) {
        assertThat(decide(200, "cache-control", "max-age=100", "age", age).ageAtArrivalSeconds()).isZero();
    }

    @Test
    void anAgeWithSurroundingSpacesIsRead() {
        assertThat(decide(200, "cache-control", "max-age=100", "age", " 42 ").ageAtArrivalSeconds()).isEqualTo(42);
    }

    @Test
    void anEntryIsKeptForItsRemainingFreshnessPlusTheLongerStaleWindow() {
        // 100 s fresh, 30 s of it already gone upstream; then the longer of 30 s and 600 s
        assertThat(decide(200, "cache-control", "max-age=100", "age", "30").keepSeconds()).isEqualTo(70 + 600);
        assertThat(decide(200, "cache-control", "max-age=100, stale-while-revalidate=900", "age", "30")
                .keepSeconds()).isEqualTo(70 + 900);
    }

    @Test
    void anEntryThatArrivedStaleWithoutStaleWindowsIsKeptForNoTime() {
        CachePolicy.Decision decision = NO_TTL.decide(200, headers("cache-control", "max-age=10", "age", "100"),
                false, NOW);

        assertThat(decision.stored()).isTrue();
        assertThat(decision.keepSeconds()).isZero();
    }

    @Test
    void keepSecondsOfADecisionIsFreshnessLessAgeClampedPlusTheLongerWindow() {
        assertThat(new CachePolicy.Decision(true, null, 50, 10, 20, 0).keepSeconds()).isEqualTo(70);
        assertThat(new CachePolicy.Decision(true, null, 50, 20, 10, 5).keepSeconds()).isEqualTo(65);
        assertThat(new CachePolicy.Decision(true, null, 50, 0, 0, 80).keepSeconds()).isZero();
    }

    // --- property: whatever the headers, a decision is well-formed ----------------------------------------------

    private static final Set<Integer> STORABLE = Set.of(200, 203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414);
    private static final int[] STATUSES = {200, 201, 203, 204, 206, 300, 301, 302, 304, 307, 308, 400, 404, 405,
            410, 414, 429, 500, 501, 502, 503};
    private static final String[] FLAGS = {"public", "private", "no-store", "no-cache", "must-revalidate",
            "proxy-revalidate", "no-transform", "immutable"};
    private static final String[] NUMERIC = {"max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"};

    private static String number(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> "-" + random.nextInt(1000);
            case 1 -> "soon";
            case 2 -> "99999999999999999999";
            case 3 -> "0";
            case 4 -> Long.toString(random.nextLong() & Long.MAX_VALUE);
            default -> Integer.toString(random.nextInt(1_000_000));
        };
    }

    private static String date(Random random) {
        return random.nextInt(6) == 0 ? "garbage"
                : httpDate(NOW + (random.nextLong() % (400L * 24 * 3_600_000)));
    }

    @Test
    void everyDecisionIsWellFormedForRandomResponses() {
        Random random = new Random(20261129);
        for (int run = 0; run < 5_000; run++) {
            List<String> headers = new ArrayList<>();
            List<String> directives = new ArrayList<>();
            for (int d = random.nextInt(5); d > 0; d--) {
                directives.add(random.nextBoolean() ? FLAGS[random.nextInt(FLAGS.length)]
                        : NUMERIC[random.nextInt(NUMERIC.length)] + "=" + number(random));
            }
            if (!directives.isEmpty()) {
                headers.addAll(List.of("cache-control", String.join(", ", directives)));
            }
            if (random.nextInt(3) == 0) {
                headers.addAll(List.of("expires", date(random)));
            }
            if (random.nextInt(3) == 0) {
                headers.addAll(List.of("date", date(random)));
            }
            if (random.nextInt(3) == 0) {
                headers.addAll(List.of("age", number(random)));
            }
            if (random.nextInt(20) == 0) {
                headers.addAll(List.of("set-cookie", "a=b"));
            }
            if (random.nextInt(20) == 0) {
                headers.addAll(List.of("vary", random.nextBoolean() ? "*" : "accept"));
            }
            int status = STATUSES[random.nextInt(STATUSES.length)];
            boolean authorization = random.nextInt(4) == 0;
            CachePolicy policy = new CachePolicy(
                    random.nextBoolean() ? null : Duration.ofSeconds(1 + random.nextInt(365 * 24 * 3600)),
                    Duration.ofSeconds(random.nextInt(7 * 24 * 3600 + 1)),
                    Duration.ofSeconds(random.nextInt(7 * 24 * 3600 + 1)));

            CachePolicy.Decision decision = policy.decide(status, headers(headers.toArray(String[]::new)),
                    authorization, NOW);

            String cacheControl = String.join(", ", directives);
            String input = "status " + status + ", auth " + authorization + ", headers " + headers;
            assertThat(decision.keepSeconds()).as(input).isNotNegative();
            if (decision.stored()) {
                assertThat(decision.reason()).as(input).isNull();
                assertThat(decision.freshSeconds()).as(input).isNotNegative();
                assertThat(decision.staleWhileRevalidate()).as(input).isNotNegative();
                assertThat(decision.staleIfError()).as(input).isNotNegative();
                assertThat(decision.ageAtArrivalSeconds()).as(input).isNotNegative();
                assertThat(STORABLE).as(input).contains(status);
                assertThat(cacheControl).as(input).doesNotContain("no-store", "private", "no-cache");
                assertThat(headers).as(input).doesNotContain("set-cookie", "*");
                if (cacheControl.contains("revalidate,") || cacheControl.endsWith("revalidate")) {
                    assertThat(decision.staleWhileRevalidate() + decision.staleIfError()).as(input).isZero();
                }
            } else {
                assertThat(decision.reason()).as(input).isNotBlank();
                assertThat(decision.keepSeconds()).as(input).isZero();
            }
        }
    }

    // --- HTTP dates -------------------------------------------------------------------------------------------

    @Test
    void anHttpDateIsReadAsEpochMillis() {
        assertThat(CachePolicy.httpDateMillis(NOW_TEXT)).isEqualTo(NOW);
        assertThat(CachePolicy.httpDateMillis("  " + NOW_TEXT + " ")).isEqualTo(NOW);
        assertThat(CachePolicy.httpDateMillis("Sun, 06 Nov 1994 08:49:37 GMT")).isEqualTo(784_111_777_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "soon", "2026-11-29T20:00:00Z", "Sun, 32 Nov 2026 20:00:00 GMT",
            "Sun, 29 Nov 2026 25:00:00 GMT"})
    void textThatIsNotAnHttpDateReadsAsMinusOne(String text) {
        assertThat(CachePolicy.httpDateMillis(text)).isEqualTo(-1);
    }

    // --- If-None-Match ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"v1\"                  | \"v1\"",
            "W/\"v1\"                | \"v1\"",
            "\"v1\"                  | W/\"v1\"",
            "W/\"v1\"                | W/\"v1\"",
            "\"v0\", \"v1\"          | \"v1\"",
            "\"v0\",W/\"v1\" , \"v2\" | \"v1\"",
            "*                       | \"anything\"",
            "\"v0\", *               | W/\"anything\"",
    })
    void ifNoneMatchMatchesByWeakComparisonOrStar(String ifNoneMatch, String etag) {
        assertThat(CachePolicy.noneMatch(ifNoneMatch, etag)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"v2\"           | \"v1\"",
            "\"V1\"           | \"v1\"",
            "\"v0\", \"v2\"   | \"v1\"",
            "w/\"v1\"         | \"v1\"",
    })
    void ifNoneMatchDoesNotMatchOtherTags(String ifNoneMatch, String etag) {
        assertThat(CachePolicy.noneMatch(ifNoneMatch, etag)).isFalse();
    }

    @Test
    void ifNoneMatchWithoutAHeaderOrAStoredTagNeverMatches() {
        assertThat(CachePolicy.noneMatch(null, "\"v1\"")).isFalse();
        assertThat(CachePolicy.noneMatch("\"v1\"", null)).isFalse();
        assertThat(CachePolicy.noneMatch("*", null)).isFalse();
    }

    // --- If-Modified-Since ------------------------------------------------------------------------------------

    @Test
    void notModifiedWhenLastModifiedIsAtOrBeforeTheGivenDate() {
        assertThat(CachePolicy.notModifiedSince(NOW_TEXT, NOW_TEXT)).isTrue();
        assertThat(CachePolicy.notModifiedSince(NOW_TEXT, httpDate(NOW - 1_000))).isTrue();
    }

    @Test
    void modifiedWhenLastModifiedIsAfterTheGivenDate() {
        assertThat(CachePolicy.notModifiedSince(NOW_TEXT, httpDate(NOW + 1_000))).isFalse();
    }

    @Test
    void anAbsentOrInvalidDateOnEitherSideMeansModified() {
        assertThat(CachePolicy.notModifiedSince(null, NOW_TEXT)).isFalse();
        assertThat(CachePolicy.notModifiedSince(NOW_TEXT, null)).isFalse();
        assertThat(CachePolicy.notModifiedSince("yesterday", NOW_TEXT)).isFalse();
        assertThat(CachePolicy.notModifiedSince(NOW_TEXT, "yesterday")).isFalse();
    }

    // --- query and Vary normalisation -------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "b=2&a=1          | a=1&b=2",
            "a=1&b=2          | a=1&b=2",
            "c=3&a=1&b=2      | a=1&b=2&c=3",
            "a=1&&b=2         | a=1&b=2",
            "&&b=2&a=1&&      | a=1&b=2",
            "q=a%20b&p=%2F    | p=%2F&q=a%20b",
            "flag&a=1         | a=1&flag",
            "a=1              | a=1",
    })
    void queriesAreOrderedAndEmptyParametersDropped(String query, String normal) {
        assertThat(CachePolicy.normalizeQuery(query)).isEqualTo(normal);
    }

    @Test
    void parameterOrderDoesNotChangeTheNormalQuery() {
        List<String> parameters = new ArrayList<>(List.of("z=26", "a=1", "m=13", "b=2", "x=%20"));
        String expected = CachePolicy.normalizeQuery(String.join("&", parameters));
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) {
            Collections.shuffle(parameters, random);
            assertThat(CachePolicy.normalizeQuery(String.join("&", parameters))).isEqualTo(expected);
        }
        assertThat(expected).isEqualTo("a=1&b=2&m=13&x=%20&z=26");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&", "&&&"})
    void aQueryWithoutParametersNormalizesToEmpty(String query) {
        assertThat(CachePolicy.normalizeQuery(query)).isEmpty();
    }

    @Test
    void noQueryNormalizesToEmpty() {
        assertThat(CachePolicy.normalizeQuery(null)).isEmpty();
    }

    @Test
    void varyNamesAreLowerCasedInOrderAndEachOnce() {
        assertThat(CachePolicy.varyNames(List.of("Accept-Encoding, Accept-Language", "accept-encoding",
                " User-Agent ,, ", "ACCEPT-LANGUAGE")))
                .containsExactly("accept-encoding", "accept-language", "user-agent");
    }

    @Test
    void noVaryMeansNoNames() {
        assertThat(CachePolicy.varyNames(List.of())).isEmpty();
        assertThat(CachePolicy.varyNames(List.of("", " , "))).isEmpty();
    }

    @Test
    void varyNamesAreAnUnmodifiableList() {
        List<String> names = CachePolicy.varyNames(Arrays.asList("a"));

        assertThatThrownBy(() -> names.add("b"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
