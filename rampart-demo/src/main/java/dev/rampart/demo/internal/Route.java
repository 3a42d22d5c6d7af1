package dev.rampart.demo.internal;

import io.vertx.core.http.HttpMethod;
import java.util.Objects;
import java.util.Set;

/**
 * One endpoint of a demo service and the requests it takes.
 *
 * @param methods the methods accepted, GET implying HEAD; empty accepts every method
 */
public record Route(PathTemplate path, Set<HttpMethod> methods, Endpoint endpoint) {

    /** Answers one request; may throw {@link InvalidInputException} to answer 400. */
    @FunctionalInterface
    public interface Endpoint {
        void handle(DemoExchange exchange);
    }

    public Route {
        Objects.requireNonNull(path, "path");
        methods = Set.copyOf(methods);
        Objects.requireNonNull(endpoint, "endpoint");
    }

    public static Route get(String path, Endpoint endpoint) {
        return new Route(PathTemplate.of(path), Set.of(HttpMethod.GET), endpoint);
    }

    public static Route post(String path, Endpoint endpoint) {
        return new Route(PathTemplate.of(path), Set.of(HttpMethod.POST), endpoint);
    }

    public static Route anyMethod(String path, Endpoint endpoint) {
        return new Route(PathTemplate.of(path), Set.of(), endpoint);
    }

    public boolean accepts(HttpMethod method) {
        return methods.isEmpty() || methods.contains(method)
                || (method.equals(HttpMethod.HEAD) && methods.contains(HttpMethod.GET));
    }
}
