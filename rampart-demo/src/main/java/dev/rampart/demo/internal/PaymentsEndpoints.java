package dev.rampart.demo.internal;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Payments: {@code POST /payments} authorizes a payment and answers 201 with its id; {@code GET /payments/{id}}
 * shows it again. An {@code Idempotency-Key} makes a retried POST safe: the same key with the same body answers the
 * first payment again (with {@code Idempotent-Replayed: true}), with another body 422. One instance per service,
 * remembering its latest payments in memory.
 */
public final class PaymentsEndpoints {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private static final int BODY_LIMIT = 64 * 1024;
    private static final int REMEMBERED = 10_000;
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** What one payment request asked for, and what was answered. */
    private record Payment(JsonObject request, JsonObject answer) {
    }

    private final Map<String, Payment> byId = lastEntries();
    private final Map<String, Payment> byIdempotencyKey = lastEntries();
    private long created;

    public List<Route> routes() {
        return List.of(Route.post("/payments", this::create), Route.get("/payments/{id}", this::show));
    }

    private void create(DemoExchange exchange) {
        String key = exchange.request().getHeader(IDEMPOTENCY_KEY);
        if (key != null && !KEY.matcher(key).matches()) {
            throw InvalidInputException.of(IDEMPOTENCY_KEY, key, "1 to 255 visible ASCII characters");
        }
        exchange.readJsonObject(BODY_LIMIT)
                .map(PaymentsEndpoints::validRequest)
                .onSuccess(request -> answerCreated(exchange, key, request))
                .onFailure(exchange::fail);
    }

    private void answerCreated(DemoExchange exchange, String key, JsonObject request) {
        Payment payment;
        boolean replayed;
        synchronized (this) {
            Payment earlier = key == null ? null : byIdempotencyKey.get(key);
            replayed = earlier != null;
            payment = replayed ? earlier : newPayment(key, request);
        }
        if (replayed && !payment.request().equals(request)) {
            exchange.error(422, "idempotency_key_reused", InvalidInputException.message(IDEMPOTENCY_KEY, key,
                    "a new key for a different payment; this one was first used with " + payment.request().encode()));
            return;
        }
        if (key != null) {
            exchange.response().putHeader(IDEMPOTENCY_KEY, key);
        }
        if (replayed) {
            exchange.response().putHeader(IDEMPOTENT_REPLAYED, "true");
        }
        String id = payment.answer().getString("payment_id");
        exchange.response().putHeader(HttpHeaders.LOCATION, "/payments/" + id);
        exchange.json(201, payment.answer());
    }

    private Payment newPayment(String key, JsonObject request) {
        String id = String.format("pay_%06d", ++created);
        JsonObject answer = new JsonObject()
                .put("payment_id", id)
                .put("status", "authorized")
                .put("amount_cents", request.getLong("amount_cents"))
                .put("currency", request.getString("currency"));
        if (request.containsKey("order_id")) {
            answer.put("order_id", request.getString("order_id"));
        }
        if (key != null) {
            answer.put("idempotency_key", key);
        }
        Payment payment = new Payment(request, answer);
        byId.put(id, payment);
        if (key != null) {
            byIdempotencyKey.put(key, payment);
        }
        return payment;
    }

    private void show(DemoExchange exchange) {
        String id = exchange.pathParam("id");
        Payment payment;
        synchronized (this) {
            payment = byId.get(id);
        }
        if (payment == null) {
            exchange.error(404, "payment_not_found",
                    InvalidInputException.message("id", id, "the id of one of the last " + REMEMBERED + " payments"));
        } else {
            exchange.json(200, payment.answer());
        }
    }

    /** The body, checked, with defaults filled in: {@code amount_cents} (> 0), {@code currency}, {@code order_id}. */
    private static JsonObject validRequest(JsonObject body) {
        for (String field : body.fieldNames()) {
            if (!List.of("amount_cents", "currency", "order_id").contains(field)) {
                throw InvalidInputException.of(field, body.getValue(field),
                        "only the fields amount_cents, currency and order_id");
            }
        }
        Object amount = body.getValue("amount_cents");
        if (!(amount instanceof Integer || amount instanceof Long) || ((Number) amount).longValue() <= 0) {
            throw InvalidInputException.of("amount_cents", amount == null ? "(missing)" : amount,
                    "a whole number of cents above 0, such as 1999");
        }
        Object currency = body.getValue("currency", "EUR");
        if (!(currency instanceof String code && CURRENCY.matcher(code).matches())) {
            throw InvalidInputException.of("currency", currency, "a three-letter code such as EUR");
        }
        Object orderId = body.getValue("order_id");
        if (orderId != null && !(orderId instanceof String text && !text.isEmpty() && text.length() <= 64)) {
            throw InvalidInputException.of("order_id", orderId, "a string of 1 to 64 characters");
        }
        JsonObject request = new JsonObject()
                .put("amount_cents", ((Number) amount).longValue())
                .put("currency", currency);
        if (orderId != null) {
            request.put("order_id", orderId);
        }
        return request;
    }

    private static <V> Map<String, V> lastEntries() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
