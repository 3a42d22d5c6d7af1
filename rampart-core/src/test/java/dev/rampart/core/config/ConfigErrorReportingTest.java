package dev.rampart.core.config;

import static dev.rampart.core.config.TestConfigs.MINIMAL;
import static dev.rampart.core.config.TestConfigs.errors;
import static dev.rampart.core.config.TestConfigs.withRoute;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How errors are reported: all of them, each at the right line and column, with a path and a way to fix it. */
class ConfigErrorReportingTest {

    @Test
    void severalMistakesInOneFileAreAllReportedInFileOrderWithLineAndColumn() {
        List<String> errors = errors("""
                service: checkout-edge
                listen:
                  port: 80800
                  max-header-size: 16 KiB
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001", "tcp://127.0.0.1:7002" ]
                routes:
                  - id: price
                    match: { path: /v1/prices/*, methods: [ get ] }
                    upstream: pricing
                    timeouts:
                      connect: 2s
                      total: 20m
                      first-byte: 0
                  - id: stock
                    upstream: inventory
                    timeouts: { total: 2h }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:3:9: listen.port: 80800 (expected: a port (0 picks any free one) from 0 to 65535)",
                "test.yaml:4:20: listen.max-header-size: 16 KiB (expected: a size from 1KiB to 64KiB "
                        + "(units: B, KiB, MiB, GiB, KB, MB, GB))",
                "test.yaml:7:43: upstreams.pricing.endpoints[1]: tcp://127.0.0.1:7002 (expected: an http:// or "
                        + "https:// URL with a host and an optional port, without path, query or user info, "
                        + "e.g. http://127.0.0.1:7001)",
                "test.yaml:10:45: routes[0].match.methods[0]: get (expected: an upper-case HTTP method, e.g. GET)",
                "test.yaml:15:19: routes[0].timeouts.first-byte: 0 (expected: a duration from 1ms to 5m, "
                        + "e.g. 250ms or 2s; timeouts cannot be disabled)",
                "test.yaml:17:15: routes[1].upstream: inventory (expected: one of the upstreams: pricing)",
                "test.yaml:18:24: routes[1].timeouts.total: 2h (expected: a duration from 1ms to 1h, "
                        + "e.g. 250ms or 2s)");
    }

    @Test
    void timeoutErrorHasTheDocumentedShape() {
        String yaml = MINIMAL + "  - id: a\n    upstream: pricing\n  - id: b\n    upstream: pricing\n"
                + "    timeouts: { total: 2h }\n";

        assertThat(errors(yaml)).containsExactly(
                "test.yaml:11:24: routes[2].timeouts.total: 2h (expected: a duration from 1ms to 1h, e.g. 250ms or 2s)");
    }

    @Test
    void unknownKeySuggestsTheClosestAllowedKeyAndListsThemAll() {
        assertThat(errors(withRoute("timeout: { total: 2s }"))).containsExactly(
                "test.yaml:7:5: routes[0].timeout: unknown key (did you mean 'timeouts'? allowed: id, match, "
                        + "upstream, strip-prefix, rewrite, timeouts, max-body-size, server-timing, mask-upstream-errors)");
    }

    @Test
    void unknownKeyInCamelCaseSuggestsTheKebabCaseKey() {
        assertThat(errors(withRoute("maxBodySize: 1MiB"))).containsExactly(
                "test.yaml:7:5: routes[0].maxBodySize: unknown key (did you mean 'max-body-size'? allowed: id, "
                        + "match, upstream, strip-prefix, rewrite, timeouts, max-body-size, server-timing, "
                        + "mask-upstream-errors)");
    }

    @Test
    void unknownKeyWithNothingCloseListsTheAllowedKeys() {
        assertThat(errors("slo: { availability: 99.9% }\n" + MINIMAL)).containsExactly(
                "test.yaml:1:1: slo: unknown key (allowed: service, listen, admin, access-log, metrics, tracing, "
                        + "upstreams, routes)");
    }

    @Test
    void unknownKeysAreFoundAtEveryLevel() {
        List<String> errors = errors("""
                listen: { prot: 8080 }
                upstreams:
                  pricing:
                    endpoint: [ "http://127.0.0.1:7001" ]
                    pool: { max-conections: 10 }
                routes:
                  - id: price
                    upstream: pricing
                    match: { paht: /x }
                    timeouts: { conect: 1s }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:1:11: listen.prot: unknown key (did you mean 'port'? allowed: host, port, "
                        + "header-read-timeout, keep-alive-idle, max-header-size, drain-timeout)",
                "test.yaml:4:5: upstreams.pricing.endpoint: unknown key (did you mean 'endpoints'? allowed: "
                        + "endpoints, load-balancer, pool, tls)",
                "test.yaml:4:5: upstreams.pricing.endpoints: missing (expected: a list of at least one endpoint URL, "
                        + "e.g. [ \"http://127.0.0.1:7001\" ])",
                "test.yaml:5:13: upstreams.pricing.pool.max-conections: unknown key (did you mean "
                        + "'max-connections'? allowed: max-connections, max-waiting, idle-timeout)",
                "test.yaml:9:14: routes[0].match.paht: unknown key (did you mean 'path'? allowed: host, path, "
                        + "prefix, methods, headers)",
                "test.yaml:10:17: routes[0].timeouts.conect: unknown key (did you mean 'connect'? allowed: connect, "
                        + "first-byte, idle, total)");
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondOneWithTheFirstLine() {
        List<String> errors = errors(withRoute("""
                match:
                  path: /a
                  path: /b
                """));

        assertThat(errors).containsExactly(
                "test.yaml:9:7: routes[0].match.path: duplicate key (expected: each key once; first at line 8)");
    }

    @Test
    void duplicateRootKeyIsReported() {
        assertThat(errors("service: a\nservice: b\n" + MINIMAL)).containsExactly(
                "test.yaml:2:1: service: duplicate key (expected: each key once; first at line 1)");
    }

    @Test
    void yamlSyntaxErrorIsOneErrorAtTheParsersPosition() {
        List<String> errors = errors("""
                upstreams:
                  pricing:
                    endpoints: [ "http://127.0.0.1:7001"
                routes: []
                """);

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("test.yaml:4:1: invalid YAML: ").contains("line 3, column 16");
    }

    @Test
    void badIndentationIsASyntaxErrorAtTheOffendingLine() {
        assertThat(errors("service: a\n  listen: 1\n")).containsExactly(
                "test.yaml:2:9: invalid YAML: mapping values are not allowed here");
    }

    @Test
    void syntaxErrorHidesDuplicateKeysFoundBeforeIt() {
        assertThat(errors("service: a\nservice: b\nlisten: [1, 2\n"))
                .singleElement().asString().startsWith("test.yaml:4:1: invalid YAML: ");
    }

    @Test
    void unclosedQuoteIsReportedWhereTheFileEnds() {
        assertThat(errors("service: 'checkout\n")).singleElement().asString()
                .isEqualTo("test.yaml:2:1: invalid YAML: found unexpected end of stream "
                        + "(while scanning a quoted scalar that starts at line 1, column 10)");
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertThat(errors("upstreams:\n\tpricing: {}\n")).singleElement().asString()
                .startsWith("test.yaml:2:1: invalid YAML: ");
    }

    @Test
    void rootThatIsNotAMappingIsRejected() {
        assertThat(errors("- id: price\n- id: stock\n")).containsExactly(
                "test.yaml:1:1: a list (expected: a mapping with keys service, listen, admin, access-log, metrics, "
                        + "tracing, upstreams, routes)");
        assertThat(errors("just text\n")).containsExactly(
                "test.yaml:1:1: just text (expected: a mapping with keys service, listen, admin, access-log, "
                        + "metrics, tracing, upstreams, routes)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# nothing configured yet\n", "---\n", "~\n"})
    void emptyFileIsOneErrorAboutTheWholeFile(String yaml) {
        assertThat(errors(yaml)).containsExactly(
                "test.yaml: empty file (expected: a mapping with at least upstreams and routes)");
    }

    @Test
    void aSecondDocumentIsRejected() {
        assertThat(errors(MINIMAL + "---\nservice: other\n")).containsExactly(
                "test.yaml:8:1: a second YAML document (expected: one document per file)");
    }

    @Test
    void aliasesAreRejected() {
        assertThat(errors(MINIMAL.replace("endpoints: [", "endpoints: &eps [") + "  - id: stock\n"
                + "    upstream: pricing\n    timeouts: *eps\n")).containsExactly(
                "test.yaml:9:15: *eps (expected: a value written out; YAML aliases are not supported)");
    }

    @Test
    void deeplyNestedDocumentIsOneErrorNotAStackOverflow() {
        assertThat(errors("service: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n")).containsExactly(
                "test.yaml:1:74: too deeply nested (expected: at most 64 levels)");
    }

    @Test
    void wrongTypesNameWhatWasExpected() {
        List<String> errors = errors("""
                listen: 8080
                upstreams:
                  pricing: [ "http://127.0.0.1:7001" ]
                routes:
                  price: { upstream: pricing }
                """);

        assertThat(errors).containsExactly(
                "test.yaml:1:9: listen: 8080 (expected: a mapping with keys host, port, header-read-timeout, "
                        + "keep-alive-idle, max-header-size, drain-timeout)",
                "test.yaml:3:12: upstreams.pricing: a list (expected: a mapping with keys endpoints, load-balancer, "
                        + "pool, tls)",
                "test.yaml:5:3: routes: a mapping (expected: a list of routes)");
    }

    @Test
    void messagesNeverShowJavaNames() {
        List<String> documents = List.of(
                "? [a, b]\n: 1\n",
                "a: [1, 2\n",
                "a: \"\\q\"\n",
                "\tA: 1\n",
                "a: b: c\n",
                "key: value\n  - item\n",
                withRoute("rewrite: { regex: \"(\", replacement: x }"),
                withRoute("rewrite: { regex: \"(a)\", replacement: \"$\" }"),
                withRoute("rewrite: { regex: \"(a)\", replacement: \"\\\\\" }"),
                withRoute("timeouts: { total: [1s] }"),
                withRoute("match: { headers: { X: [1] } }"));
        for (String yaml : documents) {
            assertThat(errors(yaml)).as(yaml).allSatisfy(error -> assertThat(error)
                    .doesNotContainPattern("\\b(java|javax|org|com)\\.[a-z]")
                    .doesNotContain("Exception")
                    .doesNotContain("\n"));
        }
    }
}
