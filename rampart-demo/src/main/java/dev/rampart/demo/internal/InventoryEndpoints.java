package dev.rampart.demo.internal;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** Inventory: {@code GET /inventory/{sku}} → the sku's stock level, always the same for the same sku. */
public final class InventoryEndpoints {

    private static final List<String> WAREHOUSES = List.of("ams-1", "fra-1", "par-2");
    /** Below this many units a product shows as low on stock. */
    private static final int LOW_STOCK = 5;

    private InventoryEndpoints() {
    }

    public static List<Route> routes() {
        return List.of(Route.get("/inventory/{sku}", InventoryEndpoints::stock));
    }

    private static void stock(DemoExchange exchange) {
        Sku sku = new Sku(exchange.pathParam("sku"));
        int available = Math.max(0, sku.pick(2, 60) - 10); // about one product in six is out of stock
        String status = available == 0 ? "out_of_stock" : available < LOW_STOCK ? "low_stock" : "in_stock";
        exchange.json(200, new JsonObject()
                .put("sku", sku.value())
                .put("available", available)
                .put("reserved", sku.pick(3, 4))
                .put("status", status)
                .put("warehouse", WAREHOUSES.get(sku.pick(4, WAREHOUSES.size()))));
    }
}
