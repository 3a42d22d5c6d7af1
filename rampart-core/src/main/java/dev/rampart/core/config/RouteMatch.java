package dev.rampart.core.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request must look like for a route to take it. Empty lists and maps match anything.
 *
 * @param hosts   host names, {@code *.example.com} matching any one-or-more-label subdomain; compared without port,
 *                case-insensitively
 * @param path    the path pattern; {@code null} matches every path
 * @param methods upper-case method names
 * @param headers header name (lower case) to exact value
 */
public record RouteMatch(List<String> hosts, PathPattern path, Set<String> methods, Map<String, String> headers) {
    public RouteMatch {
        hosts = List.copyOf(hosts);
        methods = Set.copyOf(methods);
        headers = Map.copyOf(headers);
    }

    public boolean matchesHost(String hostHeader) {
        if (hosts.isEmpty()) {
            return true;
        }
        if (hostHeader == null) {
            return false;
        }
        String host = stripPort(hostHeader).toLowerCase(java.util.Locale.ROOT);
        for (String pattern : hosts) {
            if (pattern.startsWith("*.")) {
                if (host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1) {
                    return true;
                }
            } else if (pattern.equals(host)) {
                return true;
            }
        }
        return false;
    }

    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon >= 0 ? host.substring(0, colon) : host;
    }
}
