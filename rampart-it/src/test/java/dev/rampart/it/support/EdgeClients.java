package dev.rampart.it.support;

/**
 * Two clients known by their API keys, alice and bob, for the tests of what a route's edge keeps per client (cache
 * entries keyed by client, idempotency keys): their keys, and the config that declares them.
 */
public final class EdgeClients {
    /** The header the keys travel in. */
    public static final String API_KEY = "X-Api-Key";
    public static final String ALICE = "alice-edge-key-3c9d";
    public static final String BOB = "bob-edge-key-71fe";
    /**
     * The top-level {@code identity} and {@code clients} sections declaring both, by the SHA-256 of their keys
     * ({@code printf %s KEY | sha256sum}), as a config holds them.
     */
    public static final String CONFIG = """
            identity: { api-key-header: X-Api-Key }
            clients:
              - { name: alice, api-keys: [ "sha256:0c4c1ce46de93cbb71a15d7c5a5bbc68935211112a02e8270e1eab6bd0735f53" ] }
              - { name: bob, api-keys: [ "sha256:6ada342056dce6935477affb7c681e7a314c94263ad78bc9f793308a37923590" ] }
            """;

    private EdgeClients() {
    }
}
