package dev.rampart.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rampart.core.admission.ApiKeys;
import dev.rampart.core.admission.ClientIps;
import dev.rampart.core.admission.JwtVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds client admission: the top-level {@code state}, {@code identity} and {@code clients}, and the admission keys
 * of a route ({@code require-client}, {@code rate-limits}, {@code max-concurrent-per-client},
 * {@code rate-limit-headers}, {@code on-redis-failure}).
 */
final class AdmissionBinder {

    static final List<String> STATE_KEYS = List.of("redis", "cache-memory", "idempotency-memory");
    static final List<String> REDIS_KEYS = List.of("url", "timeout", "instances", "key-prefix");
    static final List<String> IDENTITY_KEYS = List.of("api-key-header", "hide-api-key", "trusted-proxies", "jwt");
    static final List<String> JWT_KEYS = List.of("header", "hmac-secret-env", "hmac-secret-file", "jwks-file",
            "issuer", "audience");
    static final List<String> CLIENT_KEYS = List.of("name", "api-keys", "routes", "rate-limits", "max-concurrent");
    static final List<String> RATE_LIMIT_KEYS = List.of("name", "key", "rate", "burst", "unidentified");
    static final List<String> UNIDENTIFIED_KEYS = List.of("rate", "burst");
    /** The keys of a route that configure its admission; they sit on the route itself. */
    static final List<String> ROUTE_KEYS = List.of("require-client", "rate-limits", "max-concurrent-per-client",
            "rate-limit-headers", "on-redis-failure");

    /** The sources of a JWT's keys, of which exactly one is given. */
    private static final List<String> JWT_KEY_SOURCES = List.of("hmac-secret-env", "hmac-secret-file", "jwks-file");
    /** Bigger than any secret or key set; keeps a wrongly named file (a disk image, a log) from being read whole. */
    private static final long MAX_FILE_SIZE = 1024 * 1024;

    private static final Pattern RATE = Pattern.compile("([0-9]{1,10})/(s|m|h|d|second|minute|hour|day)");
    private static final Pattern CLAIM = Pattern.compile("[^\\s\\p{Cntrl}]+");
    private static final String KEY_HASH_PREFIX = "sha256:";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern KEY_PREFIX = Pattern.compile("[!-~]{1,64}");
    private static final Pattern REDIS_DATABASE = Pattern.compile("/[0-9]{1,5}|/?");

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String NO_CLIENTS = "needs clients, declared at the top level";
    private static final String KEY_EXPECTED = "client, ip, route, header:<name> or jwt:<claim>, e.g. header:X-Tenant "
            + "or jwt:sub";
    private static final String RATE_EXPECTED = "a rate <count>/<unit> with a count from 1 to "
            + RateLimitConfig.MAX_COUNT + " and a unit s, m, h or d, e.g. 100/s or 5000/h";
    private static final String RATE_LIMITS_EXPECTED = "a list of rate limits, e.g. [ { key: client, rate: 10/s } ]";
    private static final String CLIENTS_EXPECTED = "a list of clients, e.g. "
            + "[ { name: mobile-app, api-keys: [ \"sha256:<64 hex digits>\" ] } ]";
    private static final String API_KEYS_EXPECTED = "a list of at least one API key hash, e.g. "
            + "[ \"sha256:<64 hex digits>\" ]";
    private static final String KEY_HASH_EXPECTED = "sha256:<64 hex digits> or <64 hex digits>: the SHA-256 of the "
            + "API key, never the key itself, e.g. the output of printf %s KEY | sha256sum";
    private static final String REDIS_URL_EXPECTED = "a redis:// or rediss:// URL with a host, an optional port and "
            + "database, e.g. redis://127.0.0.1:6379/0 (a password goes in the user info: redis://:password@host)";
    private static final String PROXY_EXPECTED = "an IP address or CIDR range, e.g. 10.0.0.0/8 or 2001:db8::/32";
    private static final String CONCURRENT_EXPECTED = "a request count (0 = no limit)";

    private final ValueReader values;
    private final ConfigErrors errors;

    AdmissionBinder(ValueReader values, ConfigErrors errors) {
        this.values = values;
        this.errors = errors;
    }

    /**
     * What the document declares that admission keys depend on, read from the raw tree: a declaration with a
     * mistake of its own still counts, so that the mistake is not reported again where it is used.
     *
     * @param clients whether at least one client is declared
     * @param jwt     whether {@code identity.jwt} is given
     */
    record Declarations(boolean clients, boolean jwt) {
        static Declarations of(YamlNode.Mapping doc) {
            YamlNode clients = doc.get("clients");
            boolean noClients = clients == null
                    || clients instanceof YamlNode.Scalar scalar && scalar.isNull()
                    || clients instanceof YamlNode.Sequence list && list.items().isEmpty();
            boolean jwt = doc.get("identity") instanceof YamlNode.Mapping identity && identity.get("jwt") != null;
            return new Declarations(!noClients, jwt);
        }
    }

    // --- state -------------------------------------------------------------------------------------------------

    StateConfig state(YamlNode node) {
        YamlNode.Mapping m = values.section(node, STATE_KEYS);
        if (m == null) {
            return null;
        }
        return new StateConfig(values.optional(m, "redis", null, this::redis),
                values.optional(m, "cache-memory", StateConfig.DEFAULT_CACHE_MEMORY,
                        n -> values.size(n, StateConfig.MIN_MEMORY, StateConfig.MAX_MEMORY)),
                values.optional(m, "idempotency-memory", StateConfig.DEFAULT_IDEMPOTENCY_MEMORY,
                        n -> values.size(n, StateConfig.MIN_MEMORY, StateConfig.MAX_MEMORY)));
    }

    private RedisStateConfig redis(YamlNode node) {
        YamlNode.Mapping m = values.section(node, REDIS_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode urlNode = values.required(m, "url", REDIS_URL_EXPECTED);
        URI url = urlNode == null ? null : redisUrl(urlNode);
        Duration timeout = values.optional(m, "timeout", RedisStateConfig.DEFAULT_TIMEOUT,
                n -> values.timeout(n, RedisStateConfig.MIN_TIMEOUT, RedisStateConfig.MAX_TIMEOUT));
        int instances = values.optional(m, "instances", RedisStateConfig.DEFAULT_INSTANCES,
                n -> values.integer(n, 1, RedisStateConfig.MAX_INSTANCES, "an instance count"));
        String keyPrefix = values.optional(m, "key-prefix", RedisStateConfig.DEFAULT_KEY_PREFIX,
                n -> values.string(n, KEY_PREFIX.asMatchPredicate(),
                        "1 to 64 printable ASCII characters without spaces, e.g. rampart:"));
        return url == null ? null : new RedisStateConfig(url, timeout, instances, keyPrefix);
    }

    /** The URL may hold a password, so an error shows it with its user info hidden. */
    private URI redisUrl(YamlNode node) {
        String text = values.text(node, REDIS_URL_EXPECTED);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("redis") || scheme.equals("rediss"))
                    && uri.getHost() != null
                    && uri.getPort() != 0 && uri.getPort() <= 65535
                    && REDIS_DATABASE.matcher(uri.getRawPath() == null ? "" : uri.getRawPath()).matches()
                    && uri.getRawQuery() == null
                    && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        errors.at(node, ValidationMessage.of(RedisStateConfig.redact(text), REDIS_URL_EXPECTED));
        return null;
    }

    // --- identity ----------------------------------------------------------------------------------------------

    IdentityConfig identity(YamlNode node, ConfigEnvironment environment) {
        YamlNode.Mapping m = values.section(node, IDENTITY_KEYS);
        if (m == null) {
            return null;
        }
        String apiKeyHeader = values.optional(m, "api-key-header", IdentityConfig.DEFAULT_API_KEY_HEADER,
                values::headerName);
        boolean hideApiKey = values.optional(m, "hide-api-key", false, values::bool);
        List<String> trustedProxies = values.optional(m, "trusted-proxies", List.of(),
                n -> values.oneOrMany(n, item -> values.string(item, ClientIps::validCidr,
                        PROXY_EXPECTED), "an IP address or CIDR range, or a list of them"));
        JwtConfig jwt = values.optional(m, "jwt", null, n -> jwt(n, environment));
        return new IdentityConfig(apiKeyHeader, hideApiKey, List.copyOf(new LinkedHashSet<>(trustedProxies)), jwt);
    }

    private JwtConfig jwt(YamlNode node, ConfigEnvironment environment) {
        YamlNode.Mapping m = values.section(node, JWT_KEYS);
        if (m == null) {
            return null;
        }
        String header = values.optional(m, "header", JwtConfig.DEFAULT_HEADER, values::headerName);
        String issuer = values.optional(m, "issuer", null, n -> values.text(n, "the iss a token must have"));
        String audience = values.optional(m, "audience", null, n -> values.text(n, "an aud a token must have"));
        List<YamlNode.Entry> sources = m.entries().values().stream()
                .filter(entry -> JWT_KEY_SOURCES.contains(entry.key()))
                .sorted(Comparator.comparingInt(YamlNode.Entry::line).thenComparingInt(YamlNode.Entry::column))
                .toList();
        if (sources.isEmpty()) {
            values.reject(m, "the keys tokens are signed with: one of " + ValueReader.oneOf(JWT_KEY_SOURCES));
            return null;
        }
        // Each source is read, so that its own mistakes are reported too; more than one is an error at the later.
        byte[] hmacSecret = null;
        String jwksJson = null;
        for (YamlNode.Entry source : sources) {
            switch (source.key()) {
                case "hmac-secret-env" -> hmacSecret = hmacSecretFromEnvironment(source.value(), environment);
                case "hmac-secret-file" -> hmacSecret = hmacSecretFromFile(source.value(), environment);
                default -> jwksJson = jwks(source.value(), environment, issuer, audience);
            }
        }
        for (YamlNode.Entry extra : sources.subList(1, sources.size())) {
            values.reject(extra.value(), "only one of hmac-secret-env, hmac-secret-file and jwks-file");
        }
        if (sources.size() > 1 || hmacSecret == null && jwksJson == null) {
            return null;
        }
        return new JwtConfig(header, hmacSecret, jwksJson, issuer, audience);
    }

    private byte[] hmacSecretFromEnvironment(YamlNode node, ConfigEnvironment environment) {
        String expected = "the name of an environment variable holding the HMAC secret, at least "
                + JwtConfig.MIN_HMAC_SECRET_BYTES + " bytes";
        String name = values.string(node, ENV_NAME.asMatchPredicate(), expected);
        if (name == null) {
            return null;
        }
        String value = environment.variables().get(name);
        if (value == null || value.isEmpty()) {
            values.reject(node, expected + "; " + name + " is " + (value == null ? "not set" : "empty"));
            return null;
        }
        return hmacSecret(node, value.getBytes(StandardCharsets.UTF_8), expected);
    }

    private byte[] hmacSecretFromFile(YamlNode node, ConfigEnvironment environment) {
        String expected = "a file holding the HMAC secret, at least " + JwtConfig.MIN_HMAC_SECRET_BYTES
                + " bytes, relative to the config file's directory";
        byte[] content = readFile(node, environment, expected);
        if (content == null) {
            return null;
        }
        // Files written by echo or an editor end with a newline, which is not part of the secret.
        int end = content.length;
        if (end > 0 && content[end - 1] == '\n') {
            end--;
            if (end > 0 && content[end - 1] == '\r') {
                end--;
            }
        }
        return hmacSecret(node, Arrays.copyOf(content, end), expected);
    }

    /** The secret, if it is long enough; the error never shows it, only its length. */
    private byte[] hmacSecret(YamlNode node, byte[] secret, String expected) {
        if (secret.length < JwtConfig.MIN_HMAC_SECRET_BYTES) {
            values.reject(node, expected + " (HS256 needs a 256-bit key); it has " + secret.length
                    + (secret.length == 1 ? " byte" : " bytes"));
            return null;
        }
        return secret;
    }

    private String jwks(YamlNode node, ConfigEnvironment environment, String issuer, String audience) {
        String expected = "a JSON Web Key Set file, relative to the config file's directory";
        byte[] content = readFile(node, environment, expected);
        if (content == null) {
            return null;
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            values.reject(node, expected + "; it is not valid UTF-8");
            return null;
        }
        String problem = jwksProblem(json, issuer, audience);
        if (problem != null) {
            values.reject(node, expected + "; " + problem);
            return null;
        }
        return json;
    }

    /**
     * Why {@code json} is not a JSON Web Key Set the verifier can use, or {@code null} when it is one. Syntax is
     * checked here, so that the error names a line and column; what the keys must be, by the verifier itself.
     */
    private static String jwksProblem(String json, String issuer, String audience) {
        try {
            JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return "it is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
        }
        try {
            JwtVerifier.jwks(json, issuer, audience);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The content of the file {@code node} names, or {@code null} after reporting why it cannot be read. */
    private byte[] readFile(YamlNode node, ConfigEnvironment environment, String expected) {
        String name = values.text(node, expected);
        if (name == null) {
            return null;
        }
        Path file = environment.resolve(name);
        String problem;
        try {
            if (Files.isDirectory(file)) {
                problem = "a directory";
            } else if (Files.size(file) > MAX_FILE_SIZE) {
                problem = "larger than " + Sizes.format(MAX_FILE_SIZE);
            } else {
                return Files.readAllBytes(file);
            }
        } catch (NoSuchFileException e) {
            problem = "no such file";
        } catch (AccessDeniedException e) {
            problem = "permission denied";
        } catch (IOException e) {
            problem = "cannot be read";
        }
        values.reject(node, expected + "; " + file + ": " + problem);
        return null;
    }

    // --- clients -----------------------------------------------------------------------------------------------

    /**
     * The clients; an empty value means none.
     *
     * @param routeIds the ids of the routes, valid or not, that a client's {@code routes} may name
     * @param declared what the rest of the document declares
     */
    List<ClientConfig> clients(YamlNode node, Set<String> routeIds, Declarations declared) {
        if (node instanceof YamlNode.Scalar scalar && scalar.isNull()) {
            return List.of();
        }
        YamlNode.Sequence list = values.list(node, CLIENTS_EXPECTED);
        if (list == null) {
            return null;
        }
        Map<String, String> namePaths = new HashMap<>();
        Map<String, String> keyHashPaths = new HashMap<>();
        List<ClientConfig> clients = new ArrayList<>();
        for (YamlNode item : list.items()) {
            ClientConfig client = client(item, routeIds, declared, namePaths, keyHashPaths);
            if (client != null) {
                clients.add(client);
            }
        }
        return clients;
    }

    private ClientConfig client(YamlNode node, Set<String> routeIds, Declarations declared,
                                Map<String, String> namePaths, Map<String, String> keyHashPaths) {
        YamlNode.Mapping m = values.section(node, CLIENT_KEYS);
        if (m == null) {
            return null;
        }
        String nameExpected = "a client name " + ConfigBinder.NAME_EXPECTED;
        YamlNode nameNode = values.required(m, "name", nameExpected);
        String name = nameNode == null ? null
                : values.string(nameNode, ConfigBinder.NAME.asMatchPredicate(), nameExpected);
        if (name != null) {
            String first = namePaths.putIfAbsent(name, nameNode.path());
            if (first != null) {
                values.reject(nameNode, "a client name used once; " + first + " has it already");
            }
        }
        YamlNode keysNode = values.required(m, "api-keys", API_KEYS_EXPECTED);
        List<String> keyHashes = keysNode == null ? null : apiKeyHashes(keysNode, keyHashPaths);
        Set<String> routes = values.optional(m, "routes", Set.of(), n -> routeReferences(n, routeIds));
        // Within its own limits a client is always known, so key: client needs no check against declarations.
        List<RateLimitConfig> limits = values.optional(m, "rate-limits", List.of(),
                n -> rateLimits(n, new Declarations(true, declared.jwt())));
        int maxConcurrent = values.optional(m, "max-concurrent", 0,
                n -> values.integer(n, 0, ClientConfig.MAX_MAX_CONCURRENT, CONCURRENT_EXPECTED));
        return name == null || keyHashes == null ? null
                : new ClientConfig(name, keyHashes, routes, limits, maxConcurrent);
    }

    /** The hashes, lower-cased; a hash is used once in the whole file, so that a key names one client. */
    private List<String> apiKeyHashes(YamlNode node, Map<String, String> keyHashPaths) {
        if (node instanceof YamlNode.Sequence list && list.items().isEmpty()) {
            values.reject(node, API_KEYS_EXPECTED);
            return null;
        }
        List<String> hashes = values.oneOrMany(node, item -> {
            String hash = apiKeyHash(item);
            String first = hash == null ? null : keyHashPaths.putIfAbsent(hash, item.path());
            if (first != null) {
                values.reject(item, "an API key hash used once, so that a key names one client; " + first
                        + " has it already");
                return null;
            }
            return hash;
        }, API_KEYS_EXPECTED);
        return hashes == null || hashes.isEmpty() ? null : hashes;
    }

    /** A value that is not a hash may be the key itself, which must not reach a log: the error hides it. */
    private String apiKeyHash(YamlNode node) {
        String text = values.text(node, KEY_HASH_EXPECTED);
        if (text == null) {
            return null;
        }
        String hash = text.startsWith(KEY_HASH_PREFIX) ? text.substring(KEY_HASH_PREFIX.length()) : text;
        if (!ApiKeys.validHash(hash)) {
            errors.at(node, ValidationMessage.of("<hidden: " + text.length() + " characters>", KEY_HASH_EXPECTED));
            return null;
        }
        return hash.toLowerCase(Locale.ROOT);
    }

    private Set<String> routeReferences(YamlNode node, Set<String> routeIds) {
        String expected = routeIds.isEmpty() ? "the id of a route"
                : "one of the routes: " + String.join(", ", routeIds);
        List<String> routes = values.oneOrMany(node, item -> {
            String id = values.text(item, expected);
            if (id != null && !routeIds.isEmpty() && !routeIds.contains(id)) {
                values.reject(item, expected);
                return null;
            }
            return id;
        }, "a route id or a list of them");
        return routes == null ? null : new LinkedHashSet<>(routes);
    }

    // --- routes ------------------------------------------------------------------------------------------------

    /** The admission keys of {@code route}, which sit on the route itself. */
    AdmissionConfig admission(YamlNode.Mapping route, Declarations declared) {
        boolean requireClient = values.optional(route, "require-client", false, values::bool);
        if (requireClient && !declared.clients()) {
            values.reject(route.get("require-client"), "false; require-client " + NO_CLIENTS);
        }
        List<RateLimitConfig> rateLimits = values.optional(route, "rate-limits", List.of(),
                n -> rateLimits(n, declared));
        int maxConcurrentPerClient = values.optional(route, "max-concurrent-per-client", 0,
                n -> values.integer(n, 0, AdmissionConfig.MAX_MAX_CONCURRENT_PER_CLIENT, CONCURRENT_EXPECTED));
        if (maxConcurrentPerClient > 0 && !declared.clients()) {
            values.reject(route.get("max-concurrent-per-client"), "0; max-concurrent-per-client " + NO_CLIENTS);
        }
        boolean rateLimitHeaders = values.optional(route, "rate-limit-headers", false, values::bool);
        RedisFailureMode onRedisFailure = values.optional(route, "on-redis-failure", RedisFailureMode.LOCAL,
                n -> values.choice(n, RedisFailureMode.values(), RedisFailureMode::configName));
        return new AdmissionConfig(requireClient, rateLimits, maxConcurrentPerClient, rateLimitHeaders,
                onRedisFailure);
    }

    /** A list of rate limits, of a route or a client; their names are unique within the list. */
    private List<RateLimitConfig> rateLimits(YamlNode node, Declarations declared) {
        YamlNode.Sequence list = values.list(node, RATE_LIMITS_EXPECTED);
        if (list == null) {
            return null;
        }
        Map<String, String> namePaths = new HashMap<>();
        List<RateLimitConfig> limits = new ArrayList<>();
        for (YamlNode item : list.items()) {
            RateLimitConfig limit = rateLimit(item, declared, namePaths);
            if (limit != null) {
                limits.add(limit);
            }
        }
        return limits;
    }

    private RateLimitConfig rateLimit(YamlNode node, Declarations declared, Map<String, String> namePaths) {
        YamlNode.Mapping m = values.section(node, RATE_LIMIT_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode keyNode = m.get("key");
        RateLimitKey key = keyNode == null ? RateLimitKey.client() : rateLimitKey(keyNode, declared);
        if (keyNode == null && !declared.clients()) {
            errors.add(m.line(), m.column(), m.childPath("key"), ValidationMessage.of("missing",
                    "ip, route, header:<name> or jwt:<claim>; the default, client, " + NO_CLIENTS));
        }
        YamlNode rateNode = values.required(m, "rate", RATE_EXPECTED);
        Rate rate = rateNode == null ? null : rate(rateNode);
        Long burst = values.optional(m, "burst", null, this::burst);
        String name = rateLimitName(m, key, rate, namePaths);
        RateLimitConfig.Unidentified same = rate == null ? null : new RateLimitConfig.Unidentified(rate.count(),
                rate.period(), burst == null ? rate.count() : burst);
        YamlNode unidentifiedNode = m.get("unidentified");
        if (unidentifiedNode != null && key != null && key.alwaysKnown()) {
            values.reject(unidentifiedNode, "no unidentified with key " + key.configName()
                    + ", which every request has");
            return null;
        }
        RateLimitConfig.Unidentified unidentified = unidentifiedNode == null ? same
                : unidentified(unidentifiedNode, same);
        if (key == null || rate == null || name == null || unidentified == null) {
            return null;
        }
        return new RateLimitConfig(name, key, rate.count(), rate.period(), same.burst(),
                key.alwaysKnown() ? null : unidentified);
    }

    /** The written name, or one made of the key and the rate; either is used once in its list. */
    private String rateLimitName(YamlNode.Mapping m, RateLimitKey key, Rate rate, Map<String, String> namePaths) {
        YamlNode nameNode = m.get("name");
        String name;
        if (nameNode != null) {
            name = values.string(nameNode, ConfigBinder.NAME.asMatchPredicate(),
                    "a rate limit name " + ConfigBinder.NAME_EXPECTED);
        } else {
            name = key == null || rate == null ? null : defaultName(key, rate);
        }
        String path = m.childPath("name");
        String first = name == null ? null : namePaths.putIfAbsent(name, path);
        if (first == null) {
            return name;
        }
        String expected = "a rate limit name used once in the list; " + first + " has it already";
        if (nameNode != null) {
            values.reject(nameNode, expected);
        } else {
            errors.add(m.line(), m.column(), path, ValidationMessage.of(name + " by default",
                    expected + "; give them names"));
        }
        return null;
    }

    /** {@code client-5-per-s}, {@code header-x-tenant-100-per-m}: the key and the rate, as a name. */
    private static String defaultName(RateLimitKey key, Rate rate) {
        String keyPart = key.configName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-");
        return keyPart + "-" + rate.count() + "-per-" + rate.unit();
    }

    private RateLimitKey rateLimitKey(YamlNode node, Declarations declared) {
        String text = values.text(node, KEY_EXPECTED);
        if (text == null) {
            return null;
        }
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String name = colon < 0 ? null : text.substring(colon + 1);
        RateLimitKey key = switch (kind) {
            case "client" -> name == null ? RateLimitKey.client() : null;
            case "ip" -> name == null ? new RateLimitKey(RateLimitKey.Kind.IP, null) : null;
            case "route" -> name == null ? new RateLimitKey(RateLimitKey.Kind.ROUTE, null) : null;
            case "header" -> name != null && ValueReader.TOKEN.matcher(name).matches()
                    ? new RateLimitKey(RateLimitKey.Kind.HEADER, name.toLowerCase(Locale.ROOT)) : null;
            case "jwt" -> name != null && CLAIM.matcher(name).matches()
                    ? new RateLimitKey(RateLimitKey.Kind.JWT_CLAIM, name) : null;
            default -> null;
        };
        if (key == null) {
            values.reject(node, switch (kind) {
                case "header" -> "header:<name> with a header name, e.g. header:X-Tenant";
                case "jwt" -> "jwt:<claim> with a claim name, e.g. jwt:sub";
                default -> KEY_EXPECTED;
            });
            return null;
        }
        if (key.kind() == RateLimitKey.Kind.CLIENT && !declared.clients()) {
            values.reject(node, "ip, route, header:<name> or jwt:<claim>; client " + NO_CLIENTS);
            return null;
        }
        if (key.kind() == RateLimitKey.Kind.JWT_CLAIM && !declared.jwt()) {
            values.reject(node, "client, ip, route or header:<name>; jwt:<claim> needs identity.jwt");
            return null;
        }
        return key;
    }

    /** A count per one unit of time, as written in {@code rate: 5/s}. */
    private record Rate(long count, Duration period, String unit) {
    }

    private Rate rate(YamlNode node) {
        String text = values.text(node, RATE_EXPECTED);
        if (text == null) {
            return null;
        }
        Matcher matcher = RATE.matcher(text);
        long count = matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
        if (count < 1 || count > RateLimitConfig.MAX_COUNT) {
            values.reject(node, RATE_EXPECTED);
            return null;
        }
        String unit = matcher.group(2).substring(0, 1);
        Duration period = switch (unit) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
        };
        return new Rate(count, period, unit);
    }

    private Long burst(YamlNode node) {
        Integer burst = values.integer(node, 1, (int) RateLimitConfig.MAX_COUNT, "a burst (requests at once)");
        return burst == null ? null : burst.longValue();
    }

    /**
     * The bucket of requests with no value for the key. A rate given alone brings a burst of its own count, as a
     * limit's does; a burst given alone keeps the limit's rate.
     *
     * @param same the limit's own rate and burst, or {@code null} when they were written wrong
     */
    private RateLimitConfig.Unidentified unidentified(YamlNode node, RateLimitConfig.Unidentified same) {
        YamlNode.Mapping m = values.section(node, UNIDENTIFIED_KEYS);
        if (m == null) {
            return null;
        }
        YamlNode rateNode = m.get("rate");
        Rate rate = rateNode == null ? null : rate(rateNode);
        Long burst = values.optional(m, "burst", null, this::burst);
        if (same == null || rateNode != null && rate == null || m.get("burst") != null && burst == null) {
            return null;
        }
        long count = rate == null ? same.count() : rate.count();
        Duration period = rate == null ? same.period() : rate.period();
        return new RateLimitConfig.Unidentified(count, period, burst != null ? burst
                : rate != null ? rate.count() : same.burst());
    }
}
