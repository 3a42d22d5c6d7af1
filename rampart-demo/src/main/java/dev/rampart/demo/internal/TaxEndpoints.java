package dev.rampart.demo.internal;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Tax: {@code GET /tax/{country}} → the standard VAT or sales-tax rate of a country (ISO 3166 alpha-2 code). */
public final class TaxEndpoints {

    private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");
    /** Standard rates in basis points (1900 = 19%), as of 2025; a demo table, not tax advice. */
    private static final Map<String, Integer> RATES = new TreeMap<>(Map.ofEntries(
            Map.entry("AT", 2000), Map.entry("BE", 2100), Map.entry("CH", 810), Map.entry("DE", 1900),
            Map.entry("DK", 2500), Map.entry("ES", 2100), Map.entry("FI", 2550), Map.entry("FR", 2000),
            Map.entry("GB", 2000), Map.entry("IE", 2300), Map.entry("IT", 2200), Map.entry("LU", 1700),
            Map.entry("NL", 2100), Map.entry("NO", 2500), Map.entry("PL", 2300), Map.entry("PT", 2300),
            Map.entry("SE", 2500), Map.entry("US", 0)));

    private TaxEndpoints() {
    }

    public static List<Route> routes() {
        return List.of(Route.get("/tax/{country}", TaxEndpoints::rate));
    }

    private static void rate(DemoExchange exchange) {
        String text = exchange.pathParam("country");
        if (!COUNTRY.matcher(text).matches()) {
            throw InvalidInputException.of("country", text, "a two-letter country code such as DE");
        }
        String country = text.toUpperCase(Locale.ROOT);
        Integer basisPoints = RATES.get(country);
        if (basisPoints == null) {
            exchange.error(404, "unknown_country",
                    InvalidInputException.message("country", country, "one of " + String.join(", ", RATES.keySet())));
            return;
        }
        exchange.json(200, new JsonObject()
                .put("country", country)
                .put("rate", basisPoints / 10_000.0)
                .put("rate_basis_points", basisPoints)
                .put("kind", country.equals("US") ? "sales_tax" : "vat"));
    }
}
