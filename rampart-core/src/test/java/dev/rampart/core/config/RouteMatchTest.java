package dev.rampart.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteMatchTest {

    private static RouteMatch hosts(String... hosts) {
        return new RouteMatch(List.of(hosts), null, Set.of(), Map.of());
    }

    @ParameterizedTest
    @CsvSource({
            "api.example.com, true",
            "API.Example.com, true",
            "api.example.com:8443, true",
            "api.example.com:80, true",
            "www.example.com, false",
            "api.example.com.evil.net, false",
    })
    void exactHostMatchesIgnoringCaseAndPort(String hostHeader, boolean matches) {
        assertThat(hosts("api.example.com").matchesHost(hostHeader)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({
            "a.example.com, true",
            "a.b.example.com, true",
            "a.example.com:8080, true",
            "example.com, false",
            ".example.com, false",
            "aexample.com, false",
            "example.com.evil.net, false",
    })
    void wildcardHostMatchesAnySubdomainButNotTheDomainItself(String hostHeader, boolean matches) {
        assertThat(hosts("*.example.com").matchesHost(hostHeader)).isEqualTo(matches);
    }

    @Test
    void bracketedIpv6HostMatchesWithOrWithoutPort() {
        RouteMatch match = hosts("[::1]");
        assertThat(match.matchesHost("[::1]:8080")).isTrue();
        assertThat(match.matchesHost("[::1]")).isTrue();
        assertThat(match.matchesHost("[::2]")).isFalse();
    }

    @Test
    void noHostsMatchesAnyHostEvenAMissingOne() {
        assertThat(hosts().matchesHost("anything.example")).isTrue();
        assertThat(hosts().matchesHost(null)).isTrue();
    }

    @Test
    void aMissingHostHeaderMatchesNoHostList() {
        assertThat(hosts("api.example.com").matchesHost(null)).isFalse();
    }
}
