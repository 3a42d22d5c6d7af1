package dev.rampart.core.admission;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The client IP of a request: the socket peer, or — only when the peer is a trusted proxy — the right-most address in
 * X-Forwarded-For that is not itself a trusted proxy (as nginx's {@code real_ip_recursive on}). When every address in
 * the header is a trusted proxy, the left-most is the client.
 *
 * <p>Addresses are parsed here, never resolved: only IP literals count (dotted-quad IPv4 without leading zeros, IPv6
 * as in RFC 4291 with an optional dotted-quad tail; no zone ids, brackets or ports). IPv4-mapped IPv6 addresses
 * ({@code ::ffff:10.1.2.3}, as a dual-stack socket reports an IPv4 peer) are IPv4 addresses: they match IPv4 CIDRs
 * and are returned in dotted form. Returned addresses are canonical (IPv6 as in RFC 5952: lower case, longest zero
 * run as {@code ::}), so that one client has one rate-limit key however a proxy spells its address.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientIps {
    /** IPv4 addresses live at ::ffff:0:0/96. */
    private static final long MAPPED_HI = 0;
    private static final long MAPPED_LO_PREFIX = 0xffffL << 32;
    private static final int IPV4_IN_IPV6_PREFIX = 96;

    private final long[] networkHi;
    private final long[] networkLo;
    private final long[] maskHi;
    private final long[] maskLo;

    /**
     * @param trustedProxies CIDRs (IPv4 and IPv6), e.g. "10.0.0.0/8", "::1/128", or single addresses; host bits set
     *                       below the prefix are ignored, as nginx does
     * @throws IllegalArgumentException for an entry that is not a CIDR or address
     */
    public ClientIps(List<String> trustedProxies) {
        requireNonNull(trustedProxies, "trustedProxies");
        int n = trustedProxies.size();
        networkHi = new long[n];
        networkLo = new long[n];
        maskHi = new long[n];
        maskLo = new long[n];
        long[] address = new long[2];
        for (int i = 0; i < n; i++) {
            String cidr = requireNonNull(trustedProxies.get(i), "trustedProxies[" + i + "]");
            int prefix = parseCidr(cidr, address);
            if (prefix < 0) {
                throw new IllegalArgumentException("trustedProxies[" + i + "]: " + cidr
                        + " (expected: an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8, 192.168.1.7 or ::1/128)");
            }
            maskHi[i] = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
            maskLo[i] = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
            networkHi[i] = address[0] & maskHi[i];
            networkLo[i] = address[1] & maskLo[i];
        }
    }

    /**
     * The client's address. Malformed X-Forwarded-For entries (and empty ones) stop the walk: the last good address,
     * or the peer, is used. Several X-Forwarded-For fields must be joined with "," in the order received. Never throws
     * on hostile input; a peer that is not an IP literal is returned as it is.
     *
     * @param xForwardedFor the header's value, or null when absent
     */
    public String clientIp(String peerAddress, String xForwardedFor) {
        requireNonNull(peerAddress, "peerAddress");
        long[] address = new long[2];
        if (!parse(peerAddress, 0, peerAddress.length(), address)) {
            return peerAddress;
        }
        if (xForwardedFor != null && isTrusted(address[0], address[1])) {
            walkForwardedFor(xForwardedFor, address);
        }
        return format(address[0], address[1]);
    }

    /** Replaces {@code address} (a trusted proxy) by the client named in the header, from the right. */
    private void walkForwardedFor(String header, long[] address) {
        long[] hop = new long[2];
        int end = header.length();
        while (true) {
            int comma = header.lastIndexOf(',', end - 1);
            int from = comma + 1;
            int to = end;
            while (from < to && isSpace(header.charAt(from))) {
                from++;
            }
            while (to > from && isSpace(header.charAt(to - 1))) {
                to--;
            }
            if (!parse(header, from, to, hop)) {
                return; // malformed or empty: the last good address stands
            }
            address[0] = hop[0];
            address[1] = hop[1];
            if (comma < 0 || !isTrusted(hop[0], hop[1])) {
                return;
            }
            end = comma;
        }
    }

    /** Whether an address (an IP literal) is one of the trusted proxies; false for anything else. */
    public boolean isTrustedProxy(String address) {
        requireNonNull(address, "address");
        long[] parsed = new long[2];
        return parse(address, 0, address.length(), parsed) && isTrusted(parsed[0], parsed[1]);
    }

    /** Whether a CIDR string (or a single address) is valid (for config validation). */
    public static boolean validCidr(String cidr) {
        requireNonNull(cidr, "cidr");
        return parseCidr(cidr, new long[2]) >= 0;
    }

    /** The canonical form of an IP literal (IPv4 dotted, IPv6 as in RFC 5952), or null when it is not one. */
    public static String canonical(String address) {
        requireNonNull(address, "address");
        long[] parsed = new long[2];
        return parse(address, 0, address.length(), parsed) ? format(parsed[0], parsed[1]) : null;
    }

    private boolean isTrusted(long hi, long lo) {
        for (int i = 0; i < networkHi.length; i++) {
            if ((hi & maskHi[i]) == networkHi[i] && (lo & maskLo[i]) == networkLo[i]) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Parses "address" or "address/prefix" into {@code out}; the prefix on the 128-bit scale, or -1 when invalid. */
    private static int parseCidr(String cidr, long[] out) {
        int slash = cidr.indexOf('/');
        int end = slash < 0 ? cidr.length() : slash;
        if (!parse(cidr, 0, end, out)) {
            return -1;
        }
        boolean ipv4 = cidr.lastIndexOf(':', end) < 0;
        int bits = ipv4 ? 32 : 128;
        if (slash < 0) {
            return 128;
        }
        int digits = cidr.length() - slash - 1;
        if (digits < 1 || digits > 3) {
            return -1;
        }
        int prefix = 0;
        for (int i = slash + 1; i < cidr.length(); i++) {
            char c = cidr.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            prefix = prefix * 10 + (c - '0');
        }
        if (prefix > bits) {
            return -1;
        }
        return ipv4 ? IPV4_IN_IPV6_PREFIX + prefix : prefix;
    }

    /** Parses an IPv4 or IPv6 literal in {@code s[from, to)} into two longs (IPv4 as ::ffff:a.b.c.d). */
    static boolean parse(String s, int from, int to, long[] out) {
        if (from >= to || to - from > 45) { // the longest IPv6 literal with an IPv4 tail is 45 characters
            return false;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == ':') {
                return parseIpv6(s, from, to, out);
            }
        }
        long ipv4 = parseIpv4(s, from, to);
        if (ipv4 < 0) {
            return false;
        }
        out[0] = MAPPED_HI;
        out[1] = MAPPED_LO_PREFIX | ipv4;
        return true;
    }

    /** The 32-bit value of a dotted quad, or -1. */
    private static long parseIpv4(String s, int from, int to) {
        long value = 0;
        int parts = 0;
        int i = from;
        while (true) {
            int start = i;
            int part = 0;
            while (i < to && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                part = part * 10 + (s.charAt(i) - '0');
                i++;
            }
            int length = i - start;
            if (length == 0 || length > 3 || part > 255 || (length > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            value = value << 8 | part;
            parts++;
            if (parts == 4) {
                return i == to ? value : -1;
            }
            if (i >= to || s.charAt(i) != '.') {
                return -1;
            }
            i++;
        }
    }

    private static boolean parseIpv6(String s, int from, int to, long[] out) {
        int[] groups = new int[8];
        int count = 0;
        int gapAt = -1; // where "::" stands, in groups
        int i = from;
        if (s.charAt(i) == ':') {
            if (i + 1 >= to || s.charAt(i + 1) != ':') {
                return false;
            }
            gapAt = 0;
            i += 2;
        }
        while (i < to) {
            int start = i;
            int group = 0;
            while (i < to && i - start < 5 && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80) {
                group = group << 4 | Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                if (count > 6) {
                    return false;
                }
                long ipv4 = parseIpv4(s, start, to);
                if (ipv4 < 0) {
                    return false;
                }
                groups[count++] = (int) (ipv4 >>> 16);
                groups[count++] = (int) (ipv4 & 0xffff);
                break;
            }
            int length = i - start;
            if (length == 0 || length > 4 || count == 8) {
                return false;
            }
            groups[count++] = group;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (gapAt >= 0) {
                    return false;
                }
                gapAt = count;
                i++;
            } else if (i == to) {
                return false; // a single trailing colon
            }
        }
        if (gapAt < 0 ? count != 8 : count > 7) {
            return false;
        }
        long hi = 0;
        long lo = 0;
        int zeros = 8 - count;
        int position = 0;
        for (int g = 0; g <= count; g++) {
            if (g == gapAt) {
                position += zeros;
            }
            if (g == count) {
                break;
            }
            if (position < 4) {
                hi |= (long) groups[g] << (16 * (3 - position));
            } else {
                lo |= (long) groups[g] << (16 * (7 - position));
            }
            position++;
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    static String format(long hi, long lo) {
        if (hi == MAPPED_HI && (lo & 0xffff_ffff_0000_0000L) == MAPPED_LO_PREFIX) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] groups = new int[8];
        for (int g = 0; g < 4; g++) {
            groups[g] = (int) ((hi >>> (16 * (3 - g))) & 0xffff);
            groups[g + 4] = (int) ((lo >>> (16 * (3 - g))) & 0xffff);
        }
        // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out.append("::");
                g += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[g]));
        }
        return out.toString();
    }
}
