package dev.rampart.gateway.observe;

/**
 * Told about every request the data plane handles, on the event loop that handled it: so implementations must be
 * quick and must not block (hand heavy work to another thread).
 */
public interface ExchangeListener {

    /** A request was routed and is about to go upstream (for in-flight gauges). */
    default void started(String route, String upstream) {
    }

    /** A request is finished: answered, failed or abandoned. Called exactly once per request. */
    void finished(ExchangeRecord record);

    /** Calls each listener in turn. */
    static ExchangeListener of(ExchangeListener... listeners) {
        ExchangeListener[] all = listeners.clone();
        if (all.length == 1) {
            return all[0];
        }
        return new ExchangeListener() {
            @Override
            public void started(String route, String upstream) {
                for (ExchangeListener listener : all) {
                    listener.started(route, upstream);
                }
            }

            @Override
            public void finished(ExchangeRecord record) {
                for (ExchangeListener listener : all) {
                    listener.finished(record);
                }
            }
        };
    }
}
