package dev.rampart.demo.internal;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Offers: {@code GET /offers?sku=42} → the zero to three offers on a sku, always the same for the same sku. */
public final class OffersEndpoints {

    private OffersEndpoints() {
    }

    public static List<Route> routes() {
        return List.of(Route.get("/offers", OffersEndpoints::offers));
    }

    private static void offers(DemoExchange exchange) {
        String skuText = exchange.queryParam("sku");
        if (skuText == null) {
            throw InvalidInputException.of("sku", "(missing)", "a query parameter such as /offers?sku=42");
        }
        Sku sku = new Sku(skuText);
        JsonArray offers = new JsonArray();
        int count = sku.pick(5, 4);
        for (int i = 0; i < count; i++) {
            offers.add(offer(sku, i));
        }
        exchange.json(200, new JsonObject().put("sku", sku.value()).put("offers", offers));
    }

    private static JsonObject offer(Sku sku, int index) {
        String id = "off-" + sku.value() + "-" + (index + 1);
        return switch (index) {
            case 0 -> {
                int percent = 5 + sku.pick(6, 4) * 5;
                yield new JsonObject().put("id", id).put("kind", "percent_off").put("percent", percent)
                        .put("label", percent + "% off");
            }
            case 1 -> {
                int cents = (1 + sku.pick(7, 5)) * 100;
                yield new JsonObject().put("id", id).put("kind", "amount_off").put("amount_cents", cents)
                        .put("currency", "EUR").put("label", cents / 100 + " EUR off");
            }
            default -> new JsonObject().put("id", id).put("kind", "free_shipping").put("label", "free shipping");
        };
    }
}
