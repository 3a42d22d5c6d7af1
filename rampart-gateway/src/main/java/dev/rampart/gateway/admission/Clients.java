package dev.rampart.gateway.admission;

import dev.rampart.core.admission.ApiKeys;
import dev.rampart.core.admission.ClientIps;
import dev.rampart.core.admission.JwtVerifier;
import dev.rampart.core.config.ClientConfig;
import dev.rampart.core.config.IdentityConfig;
import dev.rampart.core.config.JwtConfig;
import dev.rampart.core.config.RampartConfig;
import io.vertx.core.http.HttpServerRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is calling: the declared clients and how a request names one (an API key, checked against stored SHA-256
 * hashes), the client's IP (X-Forwarded-For only from trusted proxies), and the claims of a verified JWT. Built once
 * per config; read by every request.
 */
public final class Clients {
    private static final Logger log = LoggerFactory.getLogger(Clients.class);
    /** What is known about a request's caller; {@code client} is null when it named no declared client. */
    public static final class Caller {
        private final ClientConfig client;
        private final Map<String, Object> claims;
        private final ClientIps clientIps;
        private final String peerIp;
        private final HttpServerRequest request;
        private String ip;

        Caller(ClientConfig client, Map<String, Object> claims, ClientIps clientIps, String peerIp,
               HttpServerRequest request) {
            this.client = client;
            this.claims = claims;
            this.clientIps = clientIps;
            this.peerIp = peerIp;
            this.request = request;
        }

        public ClientConfig client() {
            return client;
        }

        public Map<String, Object> claims() {
            return claims;
        }

        public String clientName() {
            return client == null ? null : client.name();
        }

        /** The client's address (through trusted proxies), worked out only when a limit asks for it. */
        public String ip() {
            if (ip == null) {
                ip = clientIps.clientIp(peerIp, forwardedFor(request));
            }
            return ip;
        }
    }

    private final String apiKeyHeader;
    private final ApiKeys apiKeys;
    private final Map<String, ClientConfig> byName;
    private final ClientIps clientIps;
    private final String jwtHeader;
    private final JwtVerifier jwt;
    /**
     * Presented keys already hashed and looked up, to the client's name ("" for an unknown key): hashing every
     * request's key costs more than the rest of admission. Bounded; a flood of made-up keys only evicts entries.
     */
    private final ConcurrentHashMap<String, String> clientByPresentedKey = new ConcurrentHashMap<>();
    private static final int MAX_PRESENTED_KEYS = 10_000;

    public Clients(RampartConfig config) {
        IdentityConfig identity = config.identity();
        this.apiKeyHeader = identity.apiKeyHeader();
        Map<String, List<String>> hashes = new LinkedHashMap<>();
        Map<String, ClientConfig> clients = new HashMap<>();
        for (ClientConfig client : config.clients()) {
            hashes.put(client.name(), client.apiKeyHashes());
            clients.put(client.name(), client);
        }
        this.apiKeys = new ApiKeys(hashes);
        this.byName = Map.copyOf(clients);
        this.clientIps = new ClientIps(identity.trustedProxies());
        JwtConfig jwtConfig = identity.jwt();
        this.jwtHeader = jwtConfig == null ? null : jwtConfig.header();
        this.jwt = jwtConfig == null ? null
                : jwtConfig.hmacSecret() != null
                ? JwtVerifier.hmac(jwtConfig.hmacSecret(), jwtConfig.issuer(), jwtConfig.audience())
                : JwtVerifier.jwks(jwtConfig.jwksJson(), jwtConfig.issuer(), jwtConfig.audience());
    }

    /**
     * Every X-Forwarded-For field line, joined: a proxy may add a line of its own, and reading only the first would let
     * the client's own line decide.
     */
    public static String forwardedFor(HttpServerRequest request) {
        List<String> lines = request.headers().getAll("x-forwarded-for");
        return lines.isEmpty() ? null : lines.size() == 1 ? lines.get(0) : String.join(", ", lines);
    }

    /** The header that carries API keys, for the 401's challenge. */
    public String apiKeyHeader() {
        return apiKeyHeader;
    }

    public ClientConfig client(String name) {
        return byName.get(name);
    }

    /**
     * The caller of a request. The JWT is verified only when {@code needClaims}: a route that keys no limit on a claim
     * does not pay for the signature check.
     */
    public Caller identify(HttpServerRequest request, String peerIp, boolean needClaims) {
        String key = request.getHeader(apiKeyHeader);
        ClientConfig client = null;
        if (key != null && !key.isEmpty() && key.length() <= 1024) {
            String name = clientByPresentedKey.get(key);
            if (name == null) {
                String found = apiKeys.clientFor(key);
                name = found == null ? "" : found;
                if (clientByPresentedKey.size() >= MAX_PRESENTED_KEYS) {
                    // a flood of made-up keys: start over rather than track recency on every hit, as an LRU would
                    clientByPresentedKey.clear();
                }
                clientByPresentedKey.put(key, name);
            }
            client = name.isEmpty() ? null : byName.get(name);
        }
        Map<String, Object> claims = null;
        if (needClaims && jwt != null) {
            String value = request.getHeader(jwtHeader);
            if (value != null && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                JwtVerifier.Result result = jwt.verify(value.substring(7).trim(), System.currentTimeMillis() / 1000);
                claims = result.valid() ? result.claims() : null;
                if (!result.valid() && log.isDebugEnabled()) {
                    log.atDebug().addKeyValue("rejection", result.rejection()).log("JWT not accepted");
                }
            }
        }
        return new Caller(client, claims, clientIps, peerIp, request);
    }
}
