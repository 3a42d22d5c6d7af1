package dev.rampart.gateway.admission;

import dev.rampart.core.admission.Gcra;
import dev.rampart.core.admission.RateLimitHeaders;
import dev.rampart.core.config.RateLimitConfig;
import dev.rampart.core.config.RateLimitKey;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One configured rate limit, ready for requests: its GCRA, the GCRA of its bucket for requests whose key cannot be
 * determined, and the share each instance enforces when Redis is away ({@code instances} split the limit).
 *
 * @param scope    where its cells live: {@code r/<route>} for a route's limit, {@code c/<client>} for a client's own
 * @param cell     {@code scope/name}: its cells' names start with it (made once, not per request)
 * @param policies the {@code RateLimit-Policy} items of gcra, unidentified, localShare and unidentifiedLocalShare
 * @param cellByClient for a limit keyed by client, each declared client's cell, made once rather than per request
 */
record Limit(String scope, String name, RateLimitKey key, Gcra gcra, Gcra unidentified, Gcra localShare,
             Gcra unidentifiedLocalShare, String cell, String[] policies, Map<String, String> cellByClient) {

    /** A limit whose key is not the client, or that no per-request cell name is needed for. */
    static Limit of(String scope, RateLimitConfig config, int instances) {
        return of(scope, config, instances, List.of());
    }

    /** @param clients the declared clients' names, whose cells a limit keyed by client names in advance */
    static Limit of(String scope, RateLimitConfig config, int instances, Collection<String> clients) {
        long periodNanos = config.period().toNanos();
        Gcra gcra = new Gcra(config.count(), periodNanos, config.burst());
        RateLimitConfig.Unidentified u = config.unidentified();
        Gcra unidentified = u == null ? gcra : new Gcra(u.count(), u.period().toNanos(), u.burst());
        Gcra localShare = share(gcra, instances);
        Gcra unidentifiedLocalShare = share(unidentified, instances);
        String[] policies = {policy(config.name(), gcra), policy(config.name(), unidentified),
                policy(config.name(), localShare), policy(config.name(), unidentifiedLocalShare)};
        String cell = scope + "/" + config.name();
        Map<String, String> cellByClient = new HashMap<>();
        if (config.key().kind() == RateLimitKey.Kind.CLIENT) {
            for (String client : clients) {
                cellByClient.put(client, cell + "/" + client);
            }
        }
        return new Limit(scope, config.name(), config.key(), gcra, unidentified, localShare, unidentifiedLocalShare,
                cell, policies, Map.copyOf(cellByClient));
    }

    /** The cell of the requests whose key is {@code value}. */
    String cellFor(String value) {
        String made = cellByClient.get(value);
        return made != null ? made : cell + "/" + value;
    }

    /** The {@code RateLimit-Policy} item of the bucket a request was actually held to. */
    String policy(Gcra applied) {
        if (applied == gcra) {
            return policies[0];
        }
        if (applied == unidentified) {
            return policies[1];
        }
        if (applied == localShare) {
            return policies[2];
        }
        return applied == unidentifiedLocalShare ? policies[3] : policy(name, applied);
    }

    private static String policy(String name, Gcra applied) {
        long second = TimeUnit.SECONDS.toNanos(1);
        return RateLimitHeaders.policy(name, applied.count(), Math.max(1, (applied.periodNanos() + second - 1) / second));
    }

    /** One instance's part of a limit that {@code instances} instances enforce together, never below one. */
    private static Gcra share(Gcra gcra, int instances) {
        if (instances <= 1) {
            return gcra;
        }
        return new Gcra(Math.max(1, gcra.count() / instances), gcra.periodNanos(),
                Math.max(1, gcra.burst() / instances));
    }
}
