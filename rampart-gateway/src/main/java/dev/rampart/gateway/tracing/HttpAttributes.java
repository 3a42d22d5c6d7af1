package dev.rampart.gateway.tracing;

import io.opentelemetry.api.common.AttributeKey;

/** Span attribute keys from the OpenTelemetry HTTP semantic conventions (stable), plus Rampart's own. */
public final class HttpAttributes {
    public static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    public static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    public static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    public static final AttributeKey<String> RAMPART_ROUTE = AttributeKey.stringKey("rampart.route");
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("rampart.request_id");

    private HttpAttributes() {
    }
}
