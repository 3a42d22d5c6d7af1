package dev.rampart.core.config;

/** One upstream server address: {@code http://host:port} or {@code https://host:port}, no path. */
public record Endpoint(boolean tls, String host, int port) {

    public String scheme() {
        return tls ? "https" : "http";
    }

    /** The value for a Host header that names this endpoint (port omitted when it is the scheme's default). */
    public String authority() {
        boolean defaultPort = tls ? port == 443 : port == 80;
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return defaultPort ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme() + "://" + h + ":" + port;
    }
}
