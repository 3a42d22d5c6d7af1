package dev.rampart.demo.internal;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** Pricing: {@code GET /prices/{sku}} → the sku's price in euro cents, always the same for the same sku. */
public final class PricingEndpoints {

    private PricingEndpoints() {
    }

    public static List<Route> routes() {
        return List.of(Route.get("/prices/{sku}", PricingEndpoints::price));
    }

    private static void price(DemoExchange exchange) {
        Sku sku = new Sku(exchange.pathParam("sku"));
        exchange.json(200, new JsonObject()
                .put("sku", sku.value())
                .put("currency", "EUR")
                .put("amount_cents", amountCents(sku)));
    }

    /** From 4.99 to 199.99 euro, in steps of one euro. */
    static long amountCents(Sku sku) {
        return 499 + sku.pick(1, 196) * 100L;
    }
}
