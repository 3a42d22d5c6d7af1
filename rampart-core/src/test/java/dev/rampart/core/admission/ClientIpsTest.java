package dev.rampart.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientIpsTest {
    private static final ClientIps BEHIND_PROXIES =
            new ClientIps(List.of("10.0.0.0/8", "192.168.1.7", "2001:db8:aa::/48", "::1/128"));

    @Test
    void anUntrustedPeerIsTheClientWhateverTheHeaderSays() {
        assertThat(BEHIND_PROXIES.clientIp("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
        assertThat(BEHIND_PROXIES.clientIp("203.0.113.9", null)).isEqualTo("203.0.113.9");
        assertThat(new ClientIps(List.of()).clientIp("10.1.1.1", "198.51.100.1")).isEqualTo("10.1.1.1");
    }

    @Test
    void aTrustedPeerWithoutAHeaderIsTheClient() {
        assertThat(BEHIND_PROXIES.clientIp("10.1.2.3", null)).isEqualTo("10.1.2.3");
        assertThat(BEHIND_PROXIES.clientIp("10.1.2.3", "")).isEqualTo("10.1.2.3");
        assertThat(BEHIND_PROXIES.clientIp("10.1.2.3", "   ")).isEqualTo("10.1.2.3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // peer          | X-Forwarded-For                                 | client
            "10.1.2.3        | 198.51.100.1                                    | 198.51.100.1",
            "10.1.2.3        | 198.51.100.1, 10.9.9.9                          | 198.51.100.1",
            "10.1.2.3        | 6.6.6.6, 198.51.100.1, 10.9.9.9, 192.168.1.7    | 198.51.100.1",
            "10.1.2.3        | 6.6.6.6,198.51.100.1                            | 198.51.100.1",
            "10.1.2.3        | 10.0.0.5, 10.0.0.6                              | 10.0.0.5",
            "192.168.1.7     | 198.51.100.1                                    | 198.51.100.1",
            "192.168.1.8     | 198.51.100.1                                    | 192.168.1.8",
            "::1             | 2001:db8::42                                    | 2001:db8::42",
            "2001:db8:aa::1  | 2001:db8:bb::1, 2001:db8:aa:ffff::9             | 2001:db8:bb::1",
            "2001:db8:ab::1  | 2001:db8:bb::1                                  | 2001:db8:ab::1",
            "10.1.2.3        | 2001:db8::42, 10.0.0.1                          | 2001:db8::42",
            "::1             | 198.51.100.1                                    | 198.51.100.1",
    })
    void aTrustedPeerNamesTheRightMostUntrustedAddressInTheHeader(String peer, String header, String client) {
        assertThat(BEHIND_PROXIES.clientIp(peer, header)).isEqualTo(client);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // A malformed entry stops the walk at the last good address.
            "10.1.2.3 | garbage                           | 10.1.2.3",
            "10.1.2.3 | 198.51.100.1, garbage             | 10.1.2.3",
            "10.1.2.3 | 198.51.100.1, unknown, 10.0.0.9   | 10.0.0.9",
            "10.1.2.3 | 198.51.100.1,, 10.0.0.9           | 10.0.0.9",
            "10.1.2.3 | '198.51.100.1, '                  | 10.1.2.3",
            "10.1.2.3 | 198.51.100.1:4711                 | 10.1.2.3",
            "10.1.2.3 | [2001:db8::1]                     | 10.1.2.3",
            "10.1.2.3 | 256.1.1.1                         | 10.1.2.3",
            "10.1.2.3 | 01.2.3.4                          | 10.1.2.3",
            "10.1.2.3 | 1.2.3                             | 10.1.2.3",
            "10.1.2.3 | 1.2.3.4.5                         | 10.1.2.3",
            "10.1.2.3 | fe80::1%eth0                      | 10.1.2.3",
            "10.1.2.3 | example.com                       | 10.1.2.3",
            "10.1.2.3 | 6.6.6.6, 198.51.100.1 x           | 10.1.2.3",
            // Good addresses after a bad one (to its right) still count.
            "10.1.2.3 | garbage, 198.51.100.1             | 198.51.100.1",
    })
    void aMalformedEntryStopsTheWalkAtTheLastGoodAddress(String peer, String header, String client) {
        assertThat(BEHIND_PROXIES.clientIp(peer, header)).isEqualTo(client);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0:0:0:0:0:0:0:1                | ::1",
            "2001:DB8:0:0:0:0:0:42          | 2001:db8::42",
            "2001:0db8:0000:0000:1:0:0:1    | 2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1           | 2001:db8:0:1:1:1:1:1",
            "0:0:0:0:0:0:0:0                | ::",
            "1::                            | 1::",
            "::ffff:198.51.100.1            | 198.51.100.1",
            "0:0:0:0:0:ffff:c633:6401       | 198.51.100.1",
            "::198.51.100.1                 | ::c633:6401",
            "64:ff9b::198.51.100.1          | 64:ff9b::c633:6401",
            "1:2:3:4:5:6:7::                | 1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8                | 0:2:3:4:5:6:7:8",
            "fe80:0:0:1:0:0:0:1             | fe80:0:0:1::1",
            "1:0:0:2:0:0:3:4                | 1::2:0:0:3:4",
            "0.0.0.0                        | 0.0.0.0",
            "255.255.255.255                | 255.255.255.255",
    })
    void addressesAreReturnedInCanonicalForm(String address, String canonical) {
        assertThat(ClientIps.canonical(address)).isEqualTo(canonical);
        assertThat(BEHIND_PROXIES.clientIp(address, null)).isEqualTo(canonical);
        assertThat(BEHIND_PROXIES.clientIp("10.0.0.1", address)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "1.2.3.4 ", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.04", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/8",
            "1.2.3.2555", "4294967295", "0x7f.0.0.1",
            ":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
            "g::1", "::ffff:1.2.3", "::ffff:1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "[::1]",
            "::1%lo", "\uff11.2.3.4", "1:2:3:4:5:6::7:8", "١.2.3.4",
    })
    void whatIsNotAnIpLiteralIsNotParsed(String address) {
        assertThat(ClientIps.canonical(address)).isNull();
    }

    @Test
    void anIpv4MappedPeerMatchesIpv4Cidrs() {
        assertThat(BEHIND_PROXIES.clientIp("::ffff:10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXIES.isTrustedProxy("0:0:0:0:0:ffff:a01:203")).isTrue();
        assertThat(new ClientIps(List.of("::ffff:10.0.0.0/104")).isTrustedProxy("10.200.0.1")).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8       | 10.255.255.255 | true",
            "10.0.0.0/8       | 11.0.0.0       | false",
            "10.1.2.3/8       | 10.9.9.9       | true",
            "0.0.0.0/0        | 198.51.100.1   | true",
            "0.0.0.0/0        | 2001:db8::1    | false",
            "::/0             | 2001:db8::1    | true",
            "::/0             | 198.51.100.1   | true",
            "192.168.1.7/32   | 192.168.1.7    | true",
            "192.168.1.7/32   | 192.168.1.6    | false",
            "192.168.1.6/31   | 192.168.1.7    | true",
            "2001:db8::/32    | 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff | true",
            "2001:db8::/32    | 2001:db9::     | false",
            "2001:db8::/65    | 2001:db8::7fff:ffff:ffff:ffff | true",
            "2001:db8::/65    | 2001:db8::8000:0:0:0 | false",
            "::1              | ::1            | true",
            "::1              | ::2            | false",
            "::1/128          | 0:0:0:0:0:0:0:1 | true",
    })
    void cidrsMatchTheirNetworkOnly(String cidr, String address, boolean trusted) {
        assertThat(new ClientIps(List.of(cidr)).isTrustedProxy(address)).isEqualTo(trusted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8", "10.0.0.1", "::1/128", "::/0", "2001:db8::/32", "0.0.0.0/0",
            "192.168.1.7/32", "::ffff:10.0.0.0/104"})
    void validCidrsAreAccepted(String cidr) {
        assertThat(ClientIps.validCidr(cidr)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8/8", "10.0.0.0/-1",
            "10.0.0.0/+8", "10.0.0.0/a", "10.0.0.0/0008", "localhost", "10.0.0.0 /8", "/8", "10.0.0/8"})
    void invalidCidrsAreRefusedWithWhatIsExpected(String cidr) {
        assertThat(ClientIps.validCidr(cidr)).isFalse();
        assertThatThrownBy(() -> new ClientIps(List.of("10.0.0.0/8", cidr)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trustedProxies[1]: " + cidr + " (expected: an IPv4 or IPv6 address or CIDR, such as"
                        + " 10.0.0.0/8, 192.168.1.7 or ::1/128)");
    }

    @Test
    void aPeerThatIsNotAnIpLiteralIsReturnedAsItIsAndNeverTrusted() {
        ClientIps everything = new ClientIps(List.of("0.0.0.0/0", "::/0"));

        assertThat(everything.clientIp("fe80::1%eth0", "198.51.100.1")).isEqualTo("fe80::1%eth0");
        assertThat(everything.clientIp("/tmp/rampart.sock", "198.51.100.1")).isEqualTo("/tmp/rampart.sock");
    }

    @Test
    void aLongChainOfTrustedProxiesEndsAtItsLeftMostAddress() {
        String chain = "10.0.0.1" + ", 10.0.0.2".repeat(10_000);

        assertThat(BEHIND_PROXIES.clientIp("10.0.0.3", chain)).isEqualTo("10.0.0.1");
    }

    @Test
    void hostileHeadersNeverThrow() {
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "0123456789abcdefABCDEF:.,/% []\t\u0000\uffff\u00e9x";
        ClientIps everything = new ClientIps(List.of("0.0.0.0/0", "::/0"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder header = new StringBuilder();
            int length = random.nextInt(60);
            for (int c = 0; c < length; c++) {
                header.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String client = everything.clientIp("10.0.0.1", header.toString());
            // Whatever the header, the answer is an address in canonical form: the peer or one from the header.
            assertThat(ClientIps.canonical(client)).isEqualTo(client);
        }
    }
}
