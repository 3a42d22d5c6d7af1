package dev.rampart.gateway.cache;

/**
 * Where a response is filed: the route, then the path, the normalised query, the host and the route's own key parts
 * (a header, the client). Parts are joined by a space, which none of them can hold (the request line and host were
 * parsed strictly), so that "route path " is the prefix of everything cached for one path.
 */
public record CacheKey(String route, String path, String query, String host, String extras) {

    /** The key without the request headers a response's {@code Vary} names. */
    public String primary() {
        return route + ' ' + path + ' ' + query + ' ' + host + ' ' + extras;
    }

    /** Everything cached for this route and path starts with this. */
    public String pathPrefix() {
        return pathPrefix(route, path);
    }

    public static String pathPrefix(String route, String path) {
        return route + ' ' + path + ' ';
    }
}
